/** Pure-JS scrypt (audited @noble/hashes) for runtimes without node:crypto, such as Workers. @module */
import { scryptAsync } from '@noble/hashes/scrypt.js'
import type { ScryptFn } from './password.ts'

export const nobleScrypt: ScryptFn = (password, salt, params) => scryptAsync(password, salt, params)
