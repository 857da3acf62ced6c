// What simple receivers do: node:http, JSON.parse, one SQLite insert per request (no validation, no
// dedup). The collector bench's baseline, run as its own process (BENCH_DB: the database file,
// BENCH_SYNC: SQLite's synchronous setting, BENCH_ROOT: where better-sqlite3 is installed).
import http from 'node:http';
import { createRequire } from 'node:module';
const require = createRequire(process.env.BENCH_ROOT + '/package.json');
const Database = require('better-sqlite3');
const db = new Database(process.env.BENCH_DB);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + (process.env.BENCH_SYNC || 'NORMAL'));
db.exec('CREATE TABLE IF NOT EXISTS reports (id TEXT, time INTEGER, data TEXT)');
const insert = db.prepare('INSERT INTO reports (id, time, data) VALUES (?, ?, ?)');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let report;
    try {
      report = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    insert.run(String(report.id), Date.now(), JSON.stringify(report));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('listening on http://127.0.0.1:' + server.address().port + '\n'));
process.on('SIGTERM', () => {
  server.close();
  db.close();
  process.exit(0);
});
