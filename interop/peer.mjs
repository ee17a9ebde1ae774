// A real Trystero JS 0.25.4 peer speaking the same JSON-lines interface as `trystero peer`
// (see the README), so one test harness can drive Rust and JS peers alike.
//
// node peer.mjs --room R [--room R2 ...] --relay ws://127.0.0.1:PORT [--strategy nostr|mqtt|torrent]
//               [--app A] [--password P]
//               [--actions chat,blob,file] [--request-actions double]
//
// Beyond that interface: `{"request": {"action", "data", "to", "timeout"}}` (→ `response`),
// `{"connections": true}` (→ `{"event": "connections", "connected": N}`, the peer connections
// now connected), and with several rooms a `"room"` field on events and commands.
//
// Node 20 has no global WebSocket: it comes from `ws`. WebRTC comes from node-datachannel's
// polyfill, bound to 127.0.0.1 with no ICE servers, so nothing leaves loopback.

import readline from 'node:readline'
import {WebSocket} from 'ws'
import {RTCPeerConnection} from 'node-datachannel/polyfill'

globalThis.WebSocket ??= WebSocket

// --strategy nostr (the default), mqtt or torrent: the packages Trystero's users install.
const packages = {nostr: 'trystero', mqtt: '@trystero-p2p/mqtt', torrent: '@trystero-p2p/torrent'}

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const index = args.indexOf(`--${name}`)
  return index >= 0 ? args[index + 1] : fallback
}
const options = name => args.flatMap((arg, i) => (arg === `--${name}` ? [args[i + 1]] : []))

const strategy = option('strategy', 'nostr')
if (!packages[strategy]) {
  process.stderr.write(`unknown strategy ${strategy}\n`)
  process.exit(2)
}
const {joinRoom, selfId} = await import(packages[strategy])

const out = line => process.stdout.write(JSON.stringify(line) + '\n')
const toBase64 = bytes => Buffer.from(bytes).toString('base64')

// TRYSTERO_TRACE=1: log WebRTC state changes to stderr (diagnostics only).
class TracedPeerConnection extends RTCPeerConnection {
  constructor(config) {
    super(config)
    const log = (...parts) => process.stderr.write(`[js ${Date.now() % 100000}] ${parts.join(' ')}\n`)
    this.addEventListener('iceconnectionstatechange', () => log('ice', this.iceConnectionState))
    this.addEventListener('connectionstatechange', () => log('pc', this.connectionState))
    const setRemote = this.setRemoteDescription.bind(this)
    this.setRemoteDescription = async description => {
      log('remote', description.type, (description.sdp ?? '').length)
      try {
        return await setRemote(description)
      } catch (error) {
        log('remote failed', error.message)
        throw error
      }
    }
    const traceChannel = channel =>
      channel.addEventListener('message', ({data}) => {
        const bytes = new Uint8Array(data)
        const action = bytes[0] === 1 ? Buffer.from(bytes.subarray(67, 99)).toString().replace(/\0/g, '') : ''
        log('frame', bytes[0], bytes.byteLength, action)
      })
    this.addEventListener('datachannel', ({channel}) => traceChannel(channel))
    const createDataChannel = this.createDataChannel.bind(this)
    this.createDataChannel = (...args) => {
      const channel = createDataChannel(...args)
      traceChannel(channel)
      return channel
    }
    const addCandidate = this.addIceCandidate.bind(this)
    this.addIceCandidate = async candidate => {
      log('candidate', JSON.stringify(candidate))
      try {
        return await addCandidate(candidate)
      } catch (error) {
        log('candidate failed', error.message)
        throw error
      }
    }
  }
}
const Traced = process.env.TRYSTERO_TRACE ? TracedPeerConnection : RTCPeerConnection

// Every peer connection is counted, so a test can check that rooms share one connection.
class CountedPeerConnection extends Traced {
  static all = new Set()
  constructor(config) {
    super(config)
    CountedPeerConnection.all.add(this)
  }
}
const connected = () =>
  [...CountedPeerConnection.all].filter(pc => pc.connectionState === 'connected').length

// One or more rooms (`--room` repeats). With several, every event names its room and a command
// may name one (`"room": "R"`; the first room otherwise).
const roomIds = options('room')
const multi = roomIds.length > 1
const rooms = {}

const join = roomId => {
  const emit = line => out(multi ? {...line, room: roomId} : line)
  const room = joinRoom(
    {
      appId: option('app', 'trystero-cli'),
      password: option('password', ''),
      rtcPolyfill: CountedPeerConnection,
      rtcConfig: {iceServers: [], bindAddress: '127.0.0.1'},
      relayConfig: {urls: options('relay')}
    },
    roomId,
    {
      onJoinError: ({error, peerId}) =>
        emit({event: 'error', kind: 'join', peer: peerId ?? null, message: error})
    }
  )
  room.onPeerJoin = peer => emit({event: 'join', peer})
  room.onPeerLeave = peer => emit({event: 'leave', peer})

  const actions = {}
  const action = name => {
    if (!actions[name]) {
      const made = room.makeAction(name)
      made.onMessage = (data, {peerId, metadata}) => {
        const line = {event: 'message', action: name, peer: peerId, meta: metadata ?? null}
        if (data instanceof Uint8Array) line.binary = toBase64(data)
        else line.data = data
        emit(line)
      }
      made.onReceiveProgress = (fraction, {peerId}) =>
        emit({event: 'progress', action: name, peer: peerId, direction: 'receive', fraction})
      actions[name] = made
    }
    return actions[name]
  }
  // Handlers must exist before messages arrive (JS queues them per action until then).
  for (const name of option('actions', 'chat,blob,file').split(',')) action(name)

  // Request actions answer with the doubled number, or reject odd inputs when asked to.
  for (const name of option('request-actions', 'double').split(',').filter(Boolean)) {
    const made = room.makeAction(name, {kind: 'request'})
    made.onRequest = (value, {peerId}) => {
      emit({event: 'request', action: name, peer: peerId, data: value})
      if (typeof value === 'number' && value % 2 === 1) throw new Error('odd numbers only')
      return typeof value === 'number' ? value * 2 : value
    }
    actions[`request:${name}`] = made
  }
  rooms[roomId] = {room, action, actions, emit}
}

out({event: 'self', id: selfId})
for (const roomId of roomIds) join(roomId)

const handle = async command => {
  const roomId = command.room ?? roomIds[0]
  const entry = rooms[roomId]
  if (command.connections) {
    out({event: 'connections', connected: connected()})
    return
  }
  if (!entry) {
    out({event: 'error', message: `not in room ${roomId}`})
    return
  }
  const {room, action, actions, emit} = entry
  if (command.send) {
    const {action: name, data, binary, to, meta} = command.send
    const payload = binary !== undefined ? new Uint8Array(Buffer.from(binary, 'base64')) : data
    await action(name).send(payload, {
      target: to ?? null,
      metadata: meta,
      onProgress: (fraction, {peerId}) =>
        emit({event: 'progress', action: name, peer: peerId, direction: 'send', fraction})
    })
  } else if (command.request) {
    const {action: name, data, to, timeout} = command.request
    try {
      const value = await actions[`request:${name}`].request(data, {
        target: to,
        timeoutMs: timeout ?? 5000
      })
      emit({event: 'response', action: name, peer: to, data: value})
    } catch (error) {
      emit({event: 'error', kind: 'request', message: String(error?.message ?? error)})
    }
  } else if (command.ping) {
    const ms = await room.ping(command.ping)
    emit({event: 'pong', peer: command.ping, ms})
  } else if (command.leave) {
    // With several rooms, `"room"` leaves that one and keeps the process; otherwise it exits.
    if (multi && command.room) {
      await room.leave()
      delete rooms[roomId]
    } else {
      await Promise.all(Object.values(rooms).map(({room}) => room.leave()))
      setTimeout(() => process.exit(0), 200)
    }
  } else {
    out({event: 'error', message: 'unknown command'})
  }
}

readline.createInterface({input: process.stdin}).on('line', line => {
  if (!line.trim()) return
  let command
  try {
    command = JSON.parse(line)
  } catch (error) {
    out({event: 'error', message: `input is not JSON: ${error.message}`})
    return
  }
  handle(command).catch(error => out({event: 'error', message: String(error?.message ?? error)}))
})
