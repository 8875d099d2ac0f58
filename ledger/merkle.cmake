# ccl_merkle: RFC 6962 Merkle tree math, proofs, digests and signatures.
