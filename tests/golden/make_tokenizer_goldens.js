#!/usr/bin/env node
// Regenerates the tokenizer golden files with HF tokenizers itself (the Rust library through
// its Node binding, npm package `tokenizers`): BertNormalizer + BertPreTokenizer + WordPiece,
// exactly the pipeline of bert-base-uncased. Run from the repository root:
//   (cd tests/node && npm ci) && node tests/golden/make_tokenizer_goldens.js
// Input bytes are decoded as WHATWG TextDecoder does (each maximal invalid UTF-8 subsequence
// becomes U+FFFD); lines are split on '\n' and a final newline does not start an empty line.
// Output per input: `<name>.ids` (one line of ids per input line) or `<name>.hash` (FNV-1a 32
// of that line of ids, as 8 hex digits) for the large corpora.
const fs = require('fs');
const path = require('path');
const tk = require(path.resolve('tests/node/node_modules/tokenizers'));

const VOCAB = 'data/vocab/bert-base-uncased-vocab.txt';
const OUT = 'tests/golden/tokenizer';

const inputs = [
  ['edge_cases_uncased', 'tests/golden/tokenizer_edge_cases.txt', true, 'ids'],
  ['edge_cases_cased', 'tests/golden/tokenizer_edge_cases.txt', false, 'ids'],
];
for (const dir of ['data/corpus/gutenberg', 'data/corpus/wikitext-2-raw']) {
  for (const f of fs.readdirSync(dir).sort()) {
    inputs.push(['corpus_' + f.replace(/\.[a-z]+$/, ''), path.join(dir, f), true, 'hash']);
  }
}
for (const task of fs.readdirSync('data/glue').sort()) {
  const f = path.join('data/glue', task, 'dev.tsv');
  if (fs.existsSync(f)) inputs.push(['glue_' + task + '_dev', f, true, 'hash']);
}

function fnv1a32(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

async function makeTokenizer(lowercase) {
  const model = await tk.WordPiece.fromFile(VOCAB, {unkToken: '[UNK]', continuingSubwordPrefix: '##',
                                                    maxInputCharsPerWord: 100});
  const tokenizer = new tk.Tokenizer(model);
  tokenizer.setNormalizer(tk.bertNormalizer({cleanText: true, handleChineseChars: true,
                                             stripAccents: lowercase, lowercase}));
  tokenizer.setPreTokenizer(tk.bertPreTokenizer());
  return tokenizer;
}

async function main() {
  fs.mkdirSync(OUT, {recursive: true});
  const manifest = [];
  for (const [name, file, lowercase, mode] of inputs) {
    const tokenizer = await makeTokenizer(lowercase);
    const text = new TextDecoder('utf-8').decode(fs.readFileSync(file));
    const lines = text.split('\n');
    if (text.endsWith('\n')) lines.pop();
    const out = [];
    const batch = 2000;
    for (let i = 0; i < lines.length; i += batch) {
      const encodings = await tokenizer.encodeBatch(lines.slice(i, i + batch), {addSpecialTokens: false});
      for (const e of encodings) {
        const ids = e.getIds().join(' ');
        out.push(mode === 'ids' ? ids : fnv1a32(ids));
      }
    }
    const target = path.join(OUT, `${name}.${mode}`);
    fs.writeFileSync(target, out.join('\n') + '\n');
    manifest.push([name, file, lowercase ? 'uncased' : 'cased', mode, lines.length].join('\t'));
    console.error(`${target}: ${lines.length} lines`);
  }
  fs.writeFileSync(path.join(OUT, 'MANIFEST.tsv'),
                   '# name\tinput\tcasing\tformat\tlines (made by make_tokenizer_goldens.js, tokenizers ' +
                   require(path.resolve('tests/node/node_modules/tokenizers/package.json')).version + ')\n' +
                   manifest.join('\n') + '\n');
}

main().catch((e) => { console.error(e); process.exit(1); });
