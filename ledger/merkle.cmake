# ccl_merkle: RFC 6962 Merkle tree math, proofs, digests and signatures.
# Depends only on Status (events/status.h), OpenSSL, simdjson and RocksDB, so
# the tree, digest and proof code can be built and checked without the store.
add_library(ccl_merkle STATIC
  merkle.cc
  merkle_store.cc
)
ccl_warnings(ccl_merkle)
target_include_directories(ccl_merkle PUBLIC ${ROCKSDB_INCLUDE_DIR})
target_link_libraries(ccl_merkle
  PUBLIC OpenSSL::Crypto ${ROCKSDB_LIBRARY}
  PRIVATE simdjson::simdjson)
