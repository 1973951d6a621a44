import { createOfflineEmbedder } from './src/embeddings/offline.js';
const e = createOfflineEmbedder();
const [v] = await e.embed(['xyzzy'], 'query');
console.log(v!.map((x,i)=>[i,x]).filter(([,x])=>x!==0));
