#include "tokenizer/wordpiece.h"

#include <deque>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace electra {

FastWordPiece::FastWordPiece(const Vocab& vocab, absl::string_view continuation_prefix)
    : unk_id_(vocab.unk_id()) {
  // 1. The trie of all tokens, as written ("##ing" lies under the node of "##").
  std::vector<std::vector<std::pair<uint8_t, int32_t>>> children(1);
  absl::flat_hash_map<uint64_t, int32_t> edges;
  nodes_.emplace_back();
  auto insert = [&](absl::string_view s) {
    int32_t node = kRoot;
    for (unsigned char c : s) {
      uint64_t key = static_cast<uint64_t>(node) << 8 | c;
      auto it = edges.find(key);
      if (it == edges.end()) {
        int32_t child = static_cast<int32_t>(nodes_.size());
        nodes_.emplace_back();
        children.emplace_back();
        edges.emplace(key, child);
        children[node].emplace_back(c, child);
        node = child;
      } else {
        node = it->second;
      }
    }
    return node;
  };
  for (int32_t id = 0; id < vocab.size(); ++id) {
    int32_t node = insert(vocab.Token(id));
    if (vocab.Token(id) != continuation_prefix) nodes_[node].token = id;
  }
  suffix_root_ = insert(continuation_prefix);
  nodes_[suffix_root_].token = -1;

  for (int i = 0; i < 256; ++i) root_children_[i] = suffix_children_[i] = -1;
  for (auto [c, child] : children[kRoot]) root_children_[c] = child;
  for (auto [c, child] : children[suffix_root_]) suffix_children_[c] = child;
  size_t capacity = 16;
  while (capacity < edges.size() * 2) capacity <<= 1;
  table_keys_.assign(capacity, 0);
  table_values_.assign(capacity, -1);
  for (const auto& [key, child] : edges) {
    uint64_t stored = key + 1;
    for (uint64_t i = Hash(stored) & (capacity - 1);; i = (i + 1) & (capacity - 1)) {
      if (table_keys_[i] == 0) {
        table_keys_[i] = stored;
        table_values_[i] = child;
        break;
      }
    }
  }

  // 2. Failure links and pops, in order of the string length without the "##" prefix, which
  // strictly decreases along failure links (so every link's target is done before use).
  std::vector<std::vector<int32_t>> pops(nodes_.size());
  std::deque<int32_t> queue = {kRoot, suffix_root_};
  while (!queue.empty()) {
    int32_t u = queue.front();
    queue.pop_front();
    for (auto [c, v] : children[u]) {
      if (v == suffix_root_) continue;
      queue.push_back(v);
      if (nodes_[v].token >= 0) {
        nodes_[v].fail = suffix_root_;
        pops[v] = {nodes_[v].token};
        continue;
      }
      std::vector<int32_t> p = pops[u];
      int32_t z = nodes_[u].fail;
      while (z >= 0 && Child(z, c) < 0) {
        p.insert(p.end(), pops[z].begin(), pops[z].end());
        z = nodes_[z].fail;
      }
      if (z >= 0) {
        nodes_[v].fail = Child(z, c);
        pops[v] = std::move(p);
      }
    }
  }
  for (size_t v = 0; v < nodes_.size(); ++v) {
    nodes_[v].pops_begin = static_cast<uint32_t>(pops_.size());
    nodes_[v].pops_size = static_cast<uint32_t>(pops[v].size());
    pops_.insert(pops_.end(), pops[v].begin(), pops[v].end());
  }
}

void FastWordPiece::Tokenize(absl::string_view word, int num_chars,
                             std::vector<int32_t>* ids) const {
  if (word.empty()) return;
  if (num_chars > kMaxWordChars) {
    ids->push_back(unk_id_);
    return;
  }
  const size_t start = ids->size();
  auto emit = [&](int32_t node) {
    const Node& n = nodes_[node];
    if (n.pops_size == 1) {
      ids->push_back(pops_[n.pops_begin]);
    } else {
      ids->insert(ids->end(), pops_.begin() + n.pops_begin,
                  pops_.begin() + n.pops_begin + n.pops_size);
    }
  };
  int32_t u = kRoot;
  for (unsigned char c : word) {
    while (true) {
      int32_t v = Child(u, c);
      if (v >= 0) {
        u = v;
        break;
      }
      if (nodes_[u].fail < 0) {
        ids->resize(start);
        ids->push_back(unk_id_);
        return;
      }
      emit(u);
      u = nodes_[u].fail;
    }
  }
  while (u != suffix_root_) {
    if (nodes_[u].fail < 0) {
      ids->resize(start);
      ids->push_back(unk_id_);
      return;
    }
    emit(u);
    u = nodes_[u].fail;
  }
}

}  // namespace electra
