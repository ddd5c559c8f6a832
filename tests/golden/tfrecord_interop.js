#!/usr/bin/env node
// Cross-checks our TFRecord / tf.train.Example files against an independent implementation,
// the npm package @roboflow/tfrecords (its own CRC-32C, framing and google-protobuf messages).
//   node tfrecord_interop.js write OUT N   writes N examples: input_ids = [101, 1000+i, ..., 102, 0...]
//   node tfrecord_interop.js read FILE     prints "records N" then one line of input_ids per record
//                                          (real tokens only) and checks the three features agree
const fs = require('fs');
const path = require('path');
const tfr = require(path.resolve(__dirname, '../node/node_modules/@roboflow/tfrecords/src/tensorFlowBuilder.js'));
const {TFRecordsReader} = require(path.resolve(__dirname, '../node/node_modules/@roboflow/tfrecords/src/tensorFlowReader.js'));
const {TFRecordsBuilder, FeatureType} = tfr;

const [mode, file, n] = process.argv.slice(2);
if (mode === 'write') {
  const records = [];
  for (let i = 0; i < Number(n); i++) {
    const real = 3 + (i % 5);
    const ids = [101];
    for (let j = 1; j < real - 1; j++) ids.push(1000 + i * 10 + j);
    ids.push(102);
    const mask = ids.map(() => 1);
    const seg = ids.map((_, j) => (j > real / 2 ? 1 : 0));
    while (ids.length < 16) { ids.push(0); mask.push(0); seg.push(0); }
    const b = new TFRecordsBuilder();
    b.addArrayFeature('input_ids', FeatureType.Int64, ids);
    b.addArrayFeature('input_mask', FeatureType.Int64, mask);
    b.addArrayFeature('segment_ids', FeatureType.Int64, seg);
    records.push(b.build());
    console.log(ids.slice(0, real).join(' '));
  }
  fs.writeFileSync(file, TFRecordsBuilder.buildTFRecords(records));
} else if (mode === 'read') {
  const reader = new TFRecordsReader(fs.readFileSync(file));
  console.log(`records ${reader.length}`);
  // The package's getArrayFeature() only works on messages it built itself; the generated
  // message API works on parsed ones.
  const ints = (i, key) => reader.imageMessages[i].getContext().getFeatureMap().get(key).getInt64List().getValueList();
  for (let i = 0; i < reader.length; i++) {
    const ids = ints(i, 'input_ids');
    const mask = ints(i, 'input_mask');
    const seg = ints(i, 'segment_ids');
    if (ids.length !== mask.length || ids.length !== seg.length) throw new Error(`record ${i}: feature lengths differ`);
    const real = mask.filter((m) => m === 1).length;
    console.log(ids.slice(0, real).join(' '));
  }
} else {
  console.error('usage: tfrecord_interop.js write OUT N | read FILE');
  process.exit(2);
}
