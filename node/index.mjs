// ES module entry: the same objects as the CommonJS entry (one native addon instance).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const polyenc = require('./index.js');

export const { Encoder, VideoStream, AudioStream, version, hasEncoder, cudaDeviceCount, init } = polyenc;
export default polyenc;
