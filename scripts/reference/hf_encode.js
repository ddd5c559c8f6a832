#!/usr/bin/env node
// HF tokenizers' BERT pipeline over a text file, one sequence per line, on one thread (set
// RAYON_NUM_THREADS=1). Prints ids per line to OUT and the timing (tokenization only) as JSON
// on stderr. Usage: node hf_encode.js VOCAB INPUT OUT [lowercase=true]
const fs = require('fs');
const path = require('path');
const tk = require(path.resolve(__dirname, '../../tests/node/node_modules/tokenizers'));

async function main() {
  const [vocab, input, out, lower] = process.argv.slice(2);
  const lowercase = lower !== 'false';
  const model = await tk.WordPiece.fromFile(vocab, {unkToken: '[UNK]'});
  const tokenizer = new tk.Tokenizer(model);
  tokenizer.setNormalizer(tk.bertNormalizer({lowercase, stripAccents: lowercase}));
  tokenizer.setPreTokenizer(tk.bertPreTokenizer());
  const bytes = fs.readFileSync(input);
  const text = new TextDecoder('utf-8').decode(bytes);
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const start = process.hrtime.bigint();
  const results = [];
  const batch = 1000;
  for (let i = 0; i < lines.length; i += batch) {
    const enc = await tokenizer.encodeBatch(lines.slice(i, i + batch), {addSpecialTokens: false});
    for (const e of enc) results.push(e.getIds());
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  fs.writeFileSync(out, results.map((ids) => ids.join(' ')).join('\n') + '\n');
  console.error(JSON.stringify({seconds, bytes: bytes.length, mb_per_s: bytes.length / 1e6 / seconds}));
}
main().catch((e) => { console.error(e); process.exit(1); });
