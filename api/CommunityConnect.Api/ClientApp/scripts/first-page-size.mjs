// The first page's weight: the JavaScript and CSS that dist/index.html loads (entry, modulepreloads,
// stylesheets), gzipped. Fails the build above the limit (issue 20: under 250 KB gzipped).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const LIMIT = 250 * 1024;
const dist = new URL('../dist/', import.meta.url).pathname;
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const assets = [...html.matchAll(/(?:src|href)="\/app\/([^"]+\.(?:js|css))"/g)].map(m => m[1]);
let total = 0;
for (const asset of assets) {
  const bytes = readFileSync(join(dist, asset));
  const gz = gzipSync(bytes, { level: 9 }).length;
  total += gz;
  console.log(`first page: ${asset} ${(bytes.length / 1024).toFixed(1)} KB, gzipped ${(gz / 1024).toFixed(1)} KB`);
}
console.log(`first page total (JS + CSS, gzipped): ${(total / 1024).toFixed(1)} KB of ${LIMIT / 1024} KB allowed`);
if (assets.length === 0 || total > LIMIT) {
  console.error(assets.length === 0 ? 'first page: no assets found in dist/index.html' : 'first page: over the limit');
  process.exit(1);
}
