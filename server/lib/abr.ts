/**
 * The adaptive-bitrate rules a viewer's player may run (client/src/player/abr.ts says what each
 * is): the admin's default is the `ABR_RULE` setting, served by GET /api/player.
 * @module
 */
export const ABR_RULES = ['ours', 'throughput', 'bola', 'dynamic'] as const
export type AbrRule = (typeof ABR_RULES)[number]
