// Prints a bearer token for a demo account: node bench/login.mjs DATA_DIR URL [ROLE] [INDEX]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { login } from '../tests/lib/server.mjs';

const [dataDir, url, role = 'professional', index = '0'] = process.argv.slice(2);
const accounts = JSON.parse(readFileSync(join(dataDir, 'demo-accounts.json'), 'utf8')).filter((a) => a.role === role);
const a = accounts[Number(index)];
if (!a) { console.error(`no demo ${role} #${index}`); process.exit(1); }
process.stdout.write(await login({ url }, a.email, a.password, a.totp_secret) + '\n');
