// For the join benchmark: waits for "go" on stdin, joins the room, prints the milliseconds from
// joinRoom to the first onPeerJoin, then stays until killed.
//   node join.mjs --room R --relay ws://127.0.0.1:PORT
import readline from 'node:readline'
import {WebSocket} from 'ws'
import {RTCPeerConnection} from 'node-datachannel/polyfill'

globalThis.WebSocket ??= WebSocket
const {joinRoom} = await import('trystero')

const args = process.argv.slice(2)
const option = name => args[args.indexOf(`--${name}`) + 1]

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
