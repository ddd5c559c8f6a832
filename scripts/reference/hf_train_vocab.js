#!/usr/bin/env node
// HF tokenizers' default WordPieceTrainer (vocabulary 30000) on text files with the BERT
// normalizer and pre-tokenizer; writes vocab.txt with [PAD] [UNK] [CLS] [SEP] [MASK] put in
// front (the default trainer adds no special tokens). Timing (training only) as JSON on stderr.
// Usage: node hf_train_vocab.js FILE[,FILE...] OUT
const fs = require('fs');
const path = require('path');
const tk = require(path.resolve(__dirname, '../../tests/node/node_modules/tokenizers'));

const files = process.argv[2].split(',');
const out = process.argv[3];
const tokenizer = new tk.Tokenizer(tk.WordPiece.empty());
tokenizer.setNormalizer(tk.bertNormalizer({lowercase: true}));
tokenizer.setPreTokenizer(tk.bertPreTokenizer());
const start = process.hrtime.bigint();
tokenizer.train(files);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const vocab = tokenizer.getVocab();
const tokens = Object.entries(vocab).sort((a, b) => a[1] - b[1]).map((x) => x[0]);
const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
fs.writeFileSync(out, specials.concat(tokens.filter((t) => !specials.includes(t))).join('\n') + '\n');
console.error(JSON.stringify({seconds, tokens: tokens.length}));
