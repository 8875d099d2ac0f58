# ccl_merkle: RFC 6962 Merkle tree math, proofs, digests and signatures.
# Needs no store: the tree, digest and proof code can be built and checked on
# their own (check-proof opens no ledger). The RocksDB tile store is here too,
# so the ledger's append path only calls MerkleStore.
add_library(ccl_merkle STATIC
  digest.cc
  merkle.cc
  merkle_json.cc
  merkle_store.cc
  proof.cc
  signing.cc
)
ccl_warnings(ccl_merkle)
target_include_directories(ccl_merkle PUBLIC ${ROCKSDB_INCLUDE_DIR})
target_link_libraries(ccl_merkle
  PUBLIC ccl_events OpenSSL::Crypto ${ROCKSDB_LIBRARY}
  PRIVATE simdjson::simdjson)
