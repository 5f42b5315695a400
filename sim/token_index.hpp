#pragma once

#include <cstdint>
#include <vector>

namespace rb::sim {

// Maps the request flow's attempt tokens to the simulator's attempt ids: an open-addressing
// table with linear probing and backward-shift deletion, sized to a power of two and kept
// at most half full. The simulator looks a token up two or three times per attempt, and
// std::unordered_map spent most of that time in its node allocation and modulo.
class TokenIndex {
 public:
  // Sets `token`'s id, replacing an earlier one.
  void assign(std::uint64_t token, std::uint64_t id) {
    if ((size_ + 1) * 2 > entries_.size()) {
      grow();
    }
    std::size_t at = home_of(token);
    while (entries_[at].used && entries_[at].token != token) {
      at = (at + 1) & mask_;
    }
    if (!entries_[at].used) {
      ++size_;
    }
    entries_[at] = Entry{token, id, true};
  }

  // The id stored for `token`, or nullptr.
  const std::uint64_t* find(std::uint64_t token) const {
    if (size_ == 0) {
      return nullptr;
    }
    const std::size_t at = slot_of(token);
    return at == kNone ? nullptr : &entries_[at].id;
  }

  // Removes `token`; returns whether it was there.
  bool erase(std::uint64_t token) {
    if (size_ == 0) {
      return false;
    }
    std::size_t hole = slot_of(token);
    if (hole == kNone) {
      return false;
    }
    // Backward shift: pull later entries of the same probe run into the hole, so lookups
    // never need tombstones.
    std::size_t next = (hole + 1) & mask_;
    while (entries_[next].used) {
      const std::size_t home = home_of(entries_[next].token);
      const bool movable = ((next - home) & mask_) >= ((next - hole) & mask_);
      if (movable) {
        entries_[hole] = entries_[next];
        hole = next;
      }
      next = (next + 1) & mask_;
    }
    entries_[hole].used = false;
    --size_;
    return true;
  }

  std::size_t size() const { return size_; }

 private:
  struct Entry {
    std::uint64_t token = 0;
    std::uint64_t id = 0;
    bool used = false;
  };
  static constexpr std::size_t kNone = ~std::size_t{0};

  std::size_t home_of(std::uint64_t token) const {
    // Fibonacci hashing: the multiply spreads the slot bits of the token over the high
    // bits, which the shift keeps.
    return static_cast<std::size_t>((token * 0x9E3779B97F4A7C15ULL) >> shift_) & mask_;
  }

  std::size_t slot_of(std::uint64_t token) const {
    std::size_t at = home_of(token);
    while (entries_[at].used) {
      if (entries_[at].token == token) {
        return at;
      }
      at = (at + 1) & mask_;
    }
    return kNone;
  }

  void grow() {
    std::vector<Entry> old = std::move(entries_);
    const std::size_t capacity = old.empty() ? 64 : old.size() * 2;
    entries_.assign(capacity, Entry{});
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t bits = capacity; bits > 1; bits >>= 1) {
      --shift_;
    }
    size_ = 0;
    for (const Entry& entry : old) {
      if (entry.used) {
        assign(entry.token, entry.id);
      }
    }
  }

  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
  int shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace rb::sim
