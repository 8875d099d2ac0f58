// A minimal PNG decoder for screenshot checks: 8-bit RGB or RGBA,
// non-interlaced (what Chromium writes), all five filters, through zlib.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace ccl::feed::testing {

struct Image {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3

  const uint8_t* At(uint32_t x, uint32_t y) const { return &rgb[(size_t{y} * width + x) * 3]; }
};

inline uint32_t Be32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<uint8_t>(s[at])} << 24) |
         (uint32_t{static_cast<uint8_t>(s[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(s[at + 2])} << 8) |
         uint32_t{static_cast<uint8_t>(s[at + 3])};
}

// Reads the IHDR chunk into img and *bpp (bytes per pixel) and gathers the
// IDAT chunks into *idat; false (with *error set) for a format it does not
// handle.
inline bool ReadPngChunks(const std::string& file, Image* img, int* bpp, std::string* idat,
                          std::string* error) {
  for (size_t at = 8; at + 12 <= file.size();) {
    const uint32_t n = Be32(file, at);
    const std::string type = file.substr(at + 4, 4);
    if (at + 12 + n > file.size()) break;
    if (type == "IHDR") {
      img->width = Be32(file, at + 8);
      img->height = Be32(file, at + 12);
      const int depth = static_cast<uint8_t>(file[at + 16]);
      const int color = static_cast<uint8_t>(file[at + 17]);
      const int interlace = static_cast<uint8_t>(file[at + 20]);
      if (depth != 8 || interlace != 0 || (color != 2 && color != 6)) {
        *error = "unsupported PNG format";
        return false;
      }
      *bpp = color == 2 ? 3 : 4;
    } else if (type == "IDAT") {
      idat->append(file, at + 8, n);
    }
    at += 12 + n;
  }
  return true;
}

// The byte v of a row filtered with `filter`, given its left (a), up (b)
// and up-left (c) neighbours, unfiltered; -1 for an unknown filter.
inline int Unfilter(int filter, int v, int a, int b, int c) {
  switch (filter) {
    case 0:
      return v;
    case 1:
      return v + a;
    case 2:
      return v + b;
    case 3:
      return v + (a + b) / 2;
    case 4: {
      const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
      return v + ((pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c));
    }
    default:
      return -1;
  }
}

// The rows of `raw` (each a filter byte and stride bytes) unfiltered into
// img->rgb; false (with *error set) for an unknown filter.
inline bool UnfilterRows(const std::vector<uint8_t>& raw, size_t stride, int bpp, Image* img,
                         std::string* error) {
  img->rgb.resize(size_t{img->width} * img->height * 3);
  std::vector<uint8_t> prev(stride, 0), line(stride);
  for (uint32_t y = 0; y < img->height; ++y) {
    const uint8_t* src = &raw[y * (stride + 1)];
    const int filter = src[0];
    for (size_t x = 0; x < stride; ++x) {
      const int a = x >= static_cast<size_t>(bpp) ? line[x - bpp] : 0;
      const int c = x >= static_cast<size_t>(bpp) ? prev[x - bpp] : 0;
      const int v = Unfilter(filter, src[1 + x], a, prev[x], c);
      if (v < 0) {
        *error = "bad PNG filter";
        return false;
      }
      line[x] = static_cast<uint8_t>(v);
    }
    for (uint32_t x = 0; x < img->width; ++x) {
      for (int k = 0; k < 3; ++k)
        img->rgb[(size_t{y} * img->width + x) * 3 + k] = line[x * bpp + k];
    }
    prev.swap(line);
  }
  return true;
}

// False (with *error set) for anything it does not handle.
inline bool DecodePng(const std::string& file, Image* img, std::string* error) {
  if (file.size() < 8 || file.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    *error = "not a PNG";
    return false;
  }
  std::string idat;
  int bpp = 0;
  if (!ReadPngChunks(file, img, &bpp, &idat, error)) return false;
  if (bpp == 0 || img->width == 0 || img->height == 0 || img->width > 20000 ||
      img->height > 40000) {
    *error = "bad PNG header";
    return false;
  }
  const size_t stride = size_t{img->width} * bpp;
  std::vector<uint8_t> raw((stride + 1) * img->height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
          Z_OK ||
      raw_size != raw.size()) {
    *error = "bad PNG data";
    return false;
  }
  return UnfilterRows(raw, stride, bpp, img, error);
}

}  // namespace ccl::feed::testing
