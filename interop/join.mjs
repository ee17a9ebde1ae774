// For the join benchmark: waits for "go" on stdin, joins the room, prints the milliseconds from
// joinRoom to the first onPeerJoin, then stays until killed.
//   node join.mjs --room R --relay ws://127.0.0.1:PORT [--strategy nostr|mqtt|torrent]
import readline from 'node:readline'
import {WebSocket} from 'ws'
import {RTCPeerConnection} from 'node-datachannel/polyfill'

globalThis.WebSocket ??= WebSocket
const args = process.argv.slice(2)
const option = (name, fallback) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback
const packages = {nostr: 'trystero', mqtt: '@trystero-p2p/mqtt', torrent: '@trystero-p2p/torrent'}
const {joinRoom} = await import(packages[option('strategy', 'nostr')])

process.stdout.write('ready\n')
readline.createInterface({input: process.stdin}).once('line', () => {
  const start = performance.now()
  const room = joinRoom(
    {
      appId: 'trystero-bench',
      rtcPolyfill: RTCPeerConnection,
      rtcConfig: {iceServers: [], bindAddress: '127.0.0.1'},
      relayConfig: {urls: [option('relay')]}
    },
    option('room')
  )
  room.onPeerJoin = () => process.stdout.write(`${performance.now() - start}\n`)
})
