// A real WebTorrent tracker (npm bittorrent-tracker's server, WebSocket only) on 127.0.0.1,
// for the torrent strategy's tests. Its CLI crashes, so it is started from this script.
//
// node tracker.mjs PORT [--reject INFO_HASH_PREFIX]
//
// Prints "listening" once ready. `--reject` makes the tracker refuse announces of torrents
// whose info_hash starts with the prefix (a "failure reason"), to test notices.

import Server from 'bittorrent-tracker/server'

const args = process.argv.slice(2)
const port = Number(args[0])
const rejectIndex = args.indexOf('--reject')
const reject = rejectIndex >= 0 ? args[rejectIndex + 1] : null

const server = new Server({
  udp: false,
  http: false,
  ws: true,
  stats: false,
  filter: (infoHash, params, callback) => {
    // info_hash arrives hex-encoded: compare the 20 ASCII characters it stands for.
    const text = Buffer.from(infoHash, 'hex').toString('latin1')
    callback(reject && text.startsWith(reject) ? new Error('torrent not allowed here') : null)
  }
})
server.on('error', error => {
  process.stderr.write(`tracker error: ${error.message}\n`)
  process.exit(1)
})
server.on('warning', error => process.stderr.write(`tracker warning: ${error.message}\n`))
server.listen(port, '127.0.0.1', () => process.stdout.write('listening\n'))
