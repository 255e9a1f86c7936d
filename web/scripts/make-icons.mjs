// Draws the PNG icons of the PWA (same drawing as public/favicon.svg) without any image library:
// a few polygons and a rope rasterised with 4x4 supersampling, encoded with node:zlib.
// Run once: node scripts/make-icons.mjs (the PNGs are committed in public/).
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0;
});
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      const o = y * (size * 4 + 1) + 1 + x * 4;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = a;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
const inPoly = (px, py, pts) => {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i], [xj, yj] = pts[j];
    if ((yi > py) !== (yj > py) && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};
const bez = (t) => { // rope: cubic from (14,44) c (24,38) (34,46) (50,36)
  const u = 1 - t;
  return [u*u*u*14 + 3*u*u*t*24 + 3*u*t*t*34 + t*t*t*50, u*u*u*44 + 3*u*u*t*38 + 3*u*t*t*46 + t*t*t*36];
};
const rope = Array.from({ length: 200 }, (_, i) => bez(i / 199));
const teal = [10, 92, 99], white = [255, 255, 255], amber = [242, 169, 59];
const mountain = [[8, 50], [26, 20], [34, 32], [40, 24], [56, 50]];
// Colour at a point of the 64x64 design; `full` fills the square (maskable), else rounded corners.
function sample(x, y, full) {
  if (!full) {
    const r = 14, cx = Math.min(Math.max(x, r), 64 - r), cy = Math.min(Math.max(y, r), 64 - r);
    if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  }
  if (rope.some(([rx, ry]) => (x - rx) ** 2 + (y - ry) ** 2 <= 4)) return amber;
  if (inPoly(x, y, mountain)) return white;
  return teal;
}
function icon(size, { full = false, inset = 0 } = {}) {
  const ss = 4;
  return png(size, (x, y) => {
    let r = 0, g = 0, b = 0, a = 0;
    for (let i = 0; i < ss; i++) for (let j = 0; j < ss; j++) {
      let dx = ((x + (i + 0.5) / ss) / size) * 64, dy = ((y + (j + 0.5) / ss) / size) * 64;
      if (inset) { dx = (dx - 32) / (1 - inset) + 32; dy = (dy - 32) / (1 - inset) + 32; }
      let c = (dx < 0 || dy < 0 || dx > 64 || dy > 64) ? (full ? teal : null) : sample(dx, dy, full);
      if (c) { r += c[0]; g += c[1]; b += c[2]; a += 255; }
    }
    const n = ss * ss, cov = a / 255;
    return cov ? [Math.round(r / cov), Math.round(g / cov), Math.round(b / cov), Math.round(a / n)] : [0, 0, 0, 0];
  });
}
writeFileSync('public/icon-192.png', icon(192));
writeFileSync('public/icon-512.png', icon(512));
writeFileSync('public/icon-maskable-512.png', icon(512, { full: true, inset: 0.2 }));
writeFileSync('public/apple-touch-icon.png', icon(180, { full: true }));
console.log('icons written');
