// For the join-tails benchmark (app/benches/joins.rs): one Trystero JS peer whose relay socket
// is opened by a warm-up room before it joins the measured room, one line per command.
//   node joins.mjs --relay ws://127.0.0.1:PORT [--strategy nostr|mqtt|torrent]
// stdin:  "warm"      joins a warm-up room, so the relay socket opens; answers "ready" once
//                     the socket is open (MQTT: 1 s later, as its package reports no socket)
//         "join R"    joins room R; answers the milliseconds from joinRoom to the first
//                     onPeerJoin, or "timeout" after 20 s
//         "leave"     leaves the last room; answers "left"
import readline from 'node:readline'
import {WebSocket} from 'ws'
import {RTCPeerConnection} from 'node-datachannel/polyfill'

globalThis.WebSocket ??= WebSocket
const args = process.argv.slice(2)
const option = (name, fallback) =>
  args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback
const packages = {nostr: 'trystero', mqtt: '@trystero-p2p/mqtt', torrent: '@trystero-p2p/torrent'}
const {joinRoom, getRelaySockets} = await import(packages[option('strategy', 'nostr')])
const config = {
  appId: 'trystero-bench',
  rtcPolyfill: RTCPeerConnection,
  rtcConfig: {iceServers: [], bindAddress: '127.0.0.1'},
  relayConfig: {urls: [option('relay')]}
}
const say = line => process.stdout.write(`${line}\n`)
let room = null

const commands = {
  warm: async () => {
    joinRoom(config, `warm-${process.pid}`)
    const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))
    const sockets = () => Object.values(getRelaySockets()).filter(Boolean)
    const open = () => sockets().some(socket => socket.readyState === 1)
    if (option('strategy', 'nostr') === 'mqtt') {
      // The MQTT package reports no socket (mqtt.js's stream has none in 0.25.4): a loopback
      // broker is connected well within the second waited instead.
      await sleep(1000)
    } else {
      while (!open()) await sleep(5)
    }
    say('ready')
  },
  join: async name => {
    const start = performance.now()
    const joined = new Promise(resolve => {
      room = joinRoom(config, name)
      room.onPeerJoin = () => resolve(performance.now() - start)
    })
    const timeout = new Promise(resolve => setTimeout(() => resolve('timeout'), 20_000))
    say(await Promise.race([joined, timeout]))
  },
  leave: async () => {
    if (room) await room.leave()
    room = null
    say('left')
  }
}

// One command at a time, in order.
let queue = Promise.resolve()
readline.createInterface({input: process.stdin}).on('line', line => {
  const [command, argument] = line.trim().split(' ')
  queue = queue.then(() => commands[command]?.(argument))
})
