#!/usr/bin/env bash
# Builds small stand-ins for the real downloads, in their exact upstream formats, under OUT/www/ at the
# paths the real servers use (docs/data_sources.md), plus their checksum manifests:
#   glue/data/{CoLA,SST-2,STS-B,MNLI,RTE,WNLI}.zip, QQP-clean.zip, QNLIv2.zip: zips of one TASK/ folder
#     (QQP/ and QNLI/ in the last two) holding train/dev/test.tsv (MNLI: dev_matched, dev_mismatched,
#     test_matched, test_mismatched), rows taken from data/glue and tests/glue_fixtures
#   glue/data/AX.tsv, glue/data/mrpc_dev_ids.tsv ("id1<TAB>id2" lines)
#   senteval/senteval_data/msr_paraphrase_{train,test}.txt: UTF-8 with a byte-order mark, header
#     "Quality #1 ID #2 ID #1 String #2 String", rows label, id1, id2, sentence1, sentence2; the rows of
#     data/glue/MRPC's first train and dev rows interleaved, so formatting them must give those files back
#   record/3834942/files/openwebtext.tar.xz: tar.xz of openwebtext/urlsf_subsetNN-M_data.xz, each an
#     xz-compressed tar of .txt documents at its top level (made with tar -cJ, like the original)
# OUT/glue_checksums.txt and OUT/owt_checksums.txt ("SHA256 BYTES PATH"), OUT/owt_documents (the number
# of non-blank documents). Run from the repository (or runfiles) root.
#   tests/fetch/make_fixtures.sh OUT
set -euo pipefail
mkdir -p "$1"
out=$(cd "$1" && pwd)
www="$out/www"
stage="$out/stage"
rm -rf "$www" "$stage"
mkdir -p "$www/glue/data" "$www/senteval/senteval_data" "$www/record/3834942/files" "$stage"
G=data/glue
F=tests/glue_fixtures

# head with the header line plus N rows.
rows() { head -n "$(($2 + 1))" "$1"; }
task() { mkdir -p "$stage/$1"; }

task CoLA  # no header in train/dev
head -n 40 $G/CoLA/train.tsv >"$stage/CoLA/train.tsv"
head -n 30 $G/CoLA/dev.tsv >"$stage/CoLA/dev.tsv"
rows $G/CoLA/test.tsv 20 >"$stage/CoLA/test.tsv"
mkdir -p "$stage/CoLA/original/raw" "$stage/CoLA/original/tokenized"
cp "$stage/CoLA/train.tsv" "$stage/CoLA/original/raw/in_domain_train.tsv"
cp "$stage/CoLA/train.tsv" "$stage/CoLA/original/tokenized/in_domain_train.tsv"
for t in SST-2 STS-B RTE WNLI; do
  task $t
  rows $G/$t/train.tsv 40 >"$stage/$t/train.tsv"
  rows $G/$t/dev.tsv 30 >"$stage/$t/dev.tsv"
  rows $G/$t/test.tsv 20 >"$stage/$t/test.tsv"
done
cp $G/STS-B/LICENSE.txt $G/STS-B/readme.txt "$stage/STS-B/"
task QNLI  # the bundled copy has no train.tsv: other dev rows stand in
{ head -n 1 $G/QNLI/dev.tsv; sed -n '32,71p' $G/QNLI/dev.tsv; } >"$stage/QNLI/train.tsv"
rows $G/QNLI/dev.tsv 30 >"$stage/QNLI/dev.tsv"
rows $G/QNLI/test.tsv 20 >"$stage/QNLI/test.tsv"
task QQP
cp $F/QQP/train.tsv $F/QQP/dev.tsv $F/QQP/test.tsv "$stage/QQP/"
task MNLI
cp $F/MNLI/*.tsv "$stage/MNLI/"
for t in CoLA SST-2 STS-B RTE WNLI MNLI; do (cd "$stage" && zip -qrX "$www/glue/data/$t.zip" "$t"); done
(cd "$stage" && zip -qrX "$www/glue/data/QQP-clean.zip" QQP)
(cd "$stage" && zip -qrX "$www/glue/data/QNLIv2.zip" QNLI)
cp $F/diagnostic/diagnostic.tsv "$www/glue/data/AX.tsv"

# MRPC: two train rows, then one dev row, as the original file mixes them.
mrpc_rows() { # FILE N
  sed -n "2,$(($2 + 1))p" "$1"
}
{
  head -n 1 $G/MRPC/train.tsv  # with its byte-order mark
  awk 'NR == FNR { dev[++n] = $0; next } { print; if (FNR % 2 == 0 && k < n) print dev[++k] }
       END { while (k < n) print dev[++k] }' <(mrpc_rows $G/MRPC/dev.tsv 10) <(mrpc_rows $G/MRPC/train.tsv 20)
} >"$www/senteval/senteval_data/msr_paraphrase_train.txt"
mrpc_rows $G/MRPC/dev.tsv 10 | cut -f2,3 >"$www/glue/data/mrpc_dev_ids.tsv"
{
  head -n 1 $G/MRPC/train.tsv
  mrpc_rows $G/MRPC/test.tsv 10 | awk -F'\t' -v OFS='\t' '{ $1 = NR % 2; print }'
} >"$www/senteval/senteval_data/msr_paraphrase_test.txt"

# OpenWebText: documents are paragraphs of the bundled books, one line each, blank lines between, plus
# the awkward cases a web corpus has.
python3 - "$stage/owt" <<'EOF'
import hashlib, os, sys
out = sys.argv[1]
paragraphs = []
for book in ["Alice-s-Adventures-in-Wonderland_11.txt", "The-Adventures-of-Sherlock-Holmes_1661.txt"]:
    with open("data/corpus/gutenberg/" + book, encoding="utf-8") as f:
        for block in f.read().split("\n\n"):
            p = " ".join(block.split())
            if len(p) > 40:
                paragraphs.append(p)
docs = []
for i in range(48):
    docs.append(("\n\n".join(paragraphs[i * 5:i * 5 + 5]) + "\n").encode())
docs[3] = b"   Leading and trailing blanks.  \t\n\n\n\n\tA tab-indented paragraph.\n   \n"
docs[8] = "Windows line ends.\r\n\r\nSecond paragraph \u201cquoted\u201d, caf\u00e9, \u6771\u4eac.\r\n".encode()
docs[13] = b"  \n\t\n"  # nothing but whitespace: not a document
docs[21] = b"An invalid byte \xff in the middle.\n\nNo final newline"
subsets = ["urlsf_subset00-1", "urlsf_subset00-2", "urlsf_subset01-1", "urlsf_subset01-2",
           "urlsf_subset02-1", "urlsf_subset02-2", "urlsf_subset03-1", "urlsf_subset03-2"]
for s, subset in enumerate(subsets):
    d = os.path.join(out, subset)
    os.makedirs(d)
    for j in range(6):
        n = s * 6 + j
        name = "%07d-%s.txt" % (n, hashlib.md5(b"doc%d" % n).hexdigest())
        with open(os.path.join(d, name), "wb") as f:
            f.write(docs[n])
with open(os.path.join(out, "documents"), "w") as f:
    f.write("47\n")
EOF
mkdir -p "$stage/openwebtext"
for d in "$stage"/owt/urlsf_subset*; do
  (cd "$d" && tar -cJf "$stage/openwebtext/$(basename "$d")_data.xz" -- *.txt)
done
(cd "$stage" && tar --sort=name -cJf "$www/record/3834942/files/openwebtext.tar.xz" openwebtext)
cp "$stage/owt/documents" "$out/owt_documents"

manifest() { # ROOT PATH... -> "SHA256 BYTES PATH" lines
  local root="$1" p
  shift
  for p in "$@"; do echo "$(sha256sum "$root/$p" | cut -d' ' -f1) $(stat -c %s "$root/$p") $p"; done
}
manifest "$www" glue/data/{CoLA,SST-2,QQP-clean,STS-B,MNLI,QNLIv2,RTE,WNLI}.zip glue/data/AX.tsv \
  glue/data/mrpc_dev_ids.tsv senteval/senteval_data/msr_paraphrase_{train,test}.txt >"$out/glue_checksums.txt"
manifest "$www" record/3834942/files/openwebtext.tar.xz >"$out/owt_checksums.txt"
