// The non-template parts of Boost.Asio, its OpenSSL layer and Boost.Beast,
// compiled once for the whole project (BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION, which every target linking ccl_net gets).
// Header-only, every file that includes them compiled all of it again: tools/server/session.cc
// took 32.6 s of CPU that way, 23.2 s now.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
