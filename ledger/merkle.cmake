# ccl_merkle: RFC 6962 Merkle tree math, proofs, digests and signatures.
# Needs no store: the tree, digest and proof code can be built and checked on
# their own (check-proof opens no ledger). The RocksDB tile store is here too,
# so the ledger's append path only calls MerkleStore.
add_library(ccl_merkle STATIC
  checkpoint.cc
  cosignature.cc
  digest.cc
  merkle.cc
  merkle_json.cc
  merkle_store.cc
  note.cc
  proof.cc
  signing.cc
  witness.cc
)
ccl_warnings(ccl_merkle)
target_include_directories(ccl_merkle PUBLIC ${ROCKSDB_INCLUDE_DIR})
target_link_libraries(ccl_merkle
  PUBLIC ccl_events OpenSSL::Crypto ${ROCKSDB_LIBRARY}
  PRIVATE simdjson::simdjson)

# ccl_audit: the tree of an open ledger: digests and proofs of it, anchored
# verification (verify --against) and backup/restore. It reaches the store only
# through the Ledger interface (ledger/ledger.h), so it is its own library:
# ccl_ledger links ccl_merkle to maintain the tree on append, never ccl_audit.
add_library(ccl_audit STATIC
  backup.cc
  checkpoint_folder.cc
  merkle_ledger.cc
  merkle_verify.cc
)
ccl_warnings(ccl_audit)
target_link_libraries(ccl_audit PUBLIC ccl_ledger ccl_merkle)
