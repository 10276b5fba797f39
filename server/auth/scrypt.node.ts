/** Native scrypt for the Node entry (OpenSSL), same function as the Workers' pure-JS one. @module */
import { scrypt as scryptCb } from 'node:crypto'
import type { ScryptFn } from './password.ts'

export const nodeScrypt: ScryptFn = (password, salt, { N, r, p, dkLen }) =>
  new Promise((resolve, reject) =>
    scryptCb(password, salt, dkLen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(new Uint8Array(key)),
    ),
  )
