import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ // The require scope
/******/ var __nccwpck_require__ = {};
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat */
/******/ 
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = new URL('.', import.meta.url).pathname.slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  O: () => (/* binding */ LayerWriters),
  p: () => (/* binding */ isLayerWriterThread)
});

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: external "node:url"
const external_node_url_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");
;// CONCATENATED MODULE: external "node:worker_threads"
const external_node_worker_threads_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");
;// CONCATENATED MODULE: ./lib/errors.js
/**
 * Bad input from the user: rendered as one line naming the bad value, never
 * with a stack trace. Anything that is not a UserError is a bug.
 */
class UserError extends Error {
    name = 'UserError';
}
/** A user's value as it should appear in a one-line message. */
function show(value) {
    return /^[\x21-\x7e]+$/.test(value) ? value : JSON.stringify(value);
}
/** Message of an unknown thrown value, without assuming it is an Error. */
function messageOf(e) {
    return e instanceof Error ? e.message : String(e);
}
/** The errno code (`ENOENT`, …) of a failed system call, if it is one. */
function errnoCode(e) {
    if (e instanceof Error && 'code' in e && typeof e.code === 'string')
        return e.code;
    return undefined;
}
// Failures of the machine rather than of the program: a full disk, a
// read-only or vanished file system, missing permissions.
const ENVIRONMENT_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EMFILE', 'ENFILE']);
/** Rethrows a file-system failure as one line saying what could not be done. */
function asUserError(e, what) {
    const code = errnoCode(e);
    if (code !== undefined && ENVIRONMENT_ERRORS.has(code))
        throw new UserError(`${what}: ${code}`);
    throw e;
}

;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: ./lib/layer/sink.js


/** A sink writing to a new file. */
class FileSink {
    fh;
    file;
    constructor(fh, file) {
        this.fh = fh;
        this.file = file;
    }
    static async create(file) {
        const fh = await (0,promises_namespaceObject.open)(file, 'wx', 0o644).catch((e) => asUserError(e, `cannot write ${file}`));
        return new FileSink(fh, file);
    }
    async write(chunk) {
        let done = 0;
        try {
            while (done < chunk.length) {
                const { bytesWritten } = await this.fh.write(chunk, done, chunk.length - done);
                done += bytesWritten;
            }
        }
        catch (e) {
            asUserError(e, `cannot write ${this.file}`);
        }
    }
    close() {
        return this.fh.close();
    }
}

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: ./lib/layer/names.js

/** A directory entry's name, refusing names that are not UTF-8 rather than mangling them. */
function utf8Name(raw, dir) {
    const name = raw.toString('utf8');
    if (!Buffer.from(name, 'utf8').equals(raw)) {
        throw new UserError(`a file name in ${dir} is not valid UTF-8 (${raw.toString('hex')}); such names are not supported`);
    }
    return name;
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: ./lib/layer/tar-header.js
const DEFAULT_TAR_SETTINGS = Object.freeze({
    mtime: 1,
    uid: 0,
    gid: 0,
    uname: 'root',
    gname: 'root',
});
const BLOCK = 512;
/** tarfile pads the whole archive to 20 blocks. */
const RECORD = 20 * BLOCK;
const TYPEFLAG = {
    file: 0x30, // '0'
    directory: 0x35, // '5'
    symlink: 0x32, // '2'
    pax: 0x78, // 'x'
};
const NUMERIC_LIMITS = { uid: 8 ** 7, gid: 8 ** 7, size: 8 ** 11, mtime: 8 ** 11 };
/** The header block(s) for one entry: a PAX extended header first if needed. */
function encodeHeader(entry, s) {
    const name = entry.type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
    const pax = [];
    const fields = { name, linkname: entry.linkname, uname: s.uname, gname: s.gname };
    for (const [key, paxKey, length] of [
        ['name', 'path', 100],
        ['linkname', 'linkpath', 100],
        ['uname', 'uname', 32],
        ['gname', 'gname', 32],
    ]) {
        const value = fields[key];
        if (!isAscii(value) || value.length > length)
            pax.push([paxKey, value]);
    }
    const numbers = { uid: s.uid, gid: s.gid, size: entry.size, mtime: s.mtime };
    for (const key of ['uid', 'gid', 'size', 'mtime']) {
        const value = numbers[key];
        if (!(value >= 0 && value < NUMERIC_LIMITS[key])) {
            pax.push([key, String(value)]);
            numbers[key] = 0;
        }
    }
    const main = ustarBlock({
        ...fields,
        ...numbers,
        mode: entry.mode & 0o7777,
        typeflag: TYPEFLAG[entry.type],
    });
    if (pax.length === 0)
        return main;
    const records = Buffer.concat(pax.map(([k, v]) => paxRecord(k, v)));
    const paxHeader = ustarBlock({
        name: '././@PaxHeader',
        linkname: '',
        uname: '',
        gname: '',
        mode: 0,
        uid: 0,
        gid: 0,
        size: records.length,
        mtime: 0,
        typeflag: TYPEFLAG.pax,
    });
    return Buffer.concat([paxHeader, records, Buffer.alloc(padding(records.length)), main]);
}
/** Zero bytes needed after `n` bytes of data to reach a block boundary. */
function padding(n) {
    return (BLOCK - (n % BLOCK)) % BLOCK;
}
/** The two zero blocks that end an archive plus tarfile's padding to a record. */
function endOfArchive(bytesSoFar) {
    const withEnd = bytesSoFar + 2 * BLOCK;
    return Buffer.alloc(2 * BLOCK + ((RECORD - (withEnd % RECORD)) % RECORD));
}
function ustarBlock(f) {
    const b = Buffer.alloc(BLOCK);
    putString(b, 0, 100, f.name);
    putOctal(b, 100, 8, f.mode);
    putOctal(b, 108, 8, f.uid);
    putOctal(b, 116, 8, f.gid);
    putOctal(b, 124, 12, f.size);
    putOctal(b, 136, 12, f.mtime);
    b.fill(0x20, 148, 156); // checksum counts as spaces while summing
    b[156] = f.typeflag;
    putString(b, 157, 100, f.linkname);
    b.write('ustar\u000000', 257, 'latin1');
    putString(b, 265, 32, f.uname);
    putString(b, 297, 32, f.gname);
    // devmajor, devminor and prefix stay NUL: tarfile only fills the device
    // fields for device nodes and never splits names into a prefix in PAX mode.
    let sum = 0;
    for (const byte of b)
        sum += byte;
    b.write(`${sum.toString(8).padStart(6, '0')}\u0000`, 148, 'latin1');
    return b;
}
/** tarfile writes header text as ASCII, one `?` per non-ASCII code point. */
function putString(b, offset, length, s) {
    let ascii = '';
    for (const ch of s)
        ascii += ch.charCodeAt(0) < 0x80 && ch.length === 1 ? ch : '?';
    b.write(ascii.slice(0, length), offset, 'latin1');
}
function putOctal(b, offset, length, n) {
    b.write(`${n.toString(8).padStart(length - 1, '0')}\u0000`, offset, 'latin1');
}
function isAscii(s) {
    return /^\p{ASCII}*$/u.test(s);
}
/** `"<len> <key>=<value>\n"` where `<len>` counts its own digits too. */
function paxRecord(key, value) {
    const body = Buffer.byteLength(key) + Buffer.byteLength(value) + 3;
    let len = body;
    while (len !== body + String(len).length)
        len = body + String(len).length;
    return Buffer.from(`${len} ${key}=${value}\n`, 'utf8');
}

;// CONCATENATED MODULE: ./lib/layer/tar-writer.js



const STAGING = 1 << 20;
/**
 * Frames tar members into a sink through one staging buffer and hashes the
 * bytes on their way out, so each file is read once, straight into the buffer
 * that is hashed and written. Files are read synchronously: from the page
 * cache that costs microseconds, where a promise per read costs far more
 * than the read itself on trees of many small files.
 */
class TarWriter {
    sink;
    settings;
    buf = Buffer.allocUnsafe(STAGING);
    fill = 0;
    total = 0;
    hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    constructor(sink, settings) {
        this.sink = sink;
        this.settings = settings;
    }
    /** `fd`: an open descriptor of the file's content, for files. */
    async entry(entry, fd) {
        await this.put(encodeHeader(entry, this.settings));
        if (entry.type !== 'file' || entry.size === 0)
            return;
        if (fd === undefined)
            throw new Error(`no content for ${entry.name}`);
        let left = entry.size;
        let position = 0;
        while (left > 0) {
            if (this.fill === STAGING)
                await this.flush();
            const want = Math.min(left, STAGING - this.fill);
            const bytesRead = (0,external_node_fs_namespaceObject.readSync)(fd, this.buf, this.fill, want, position);
            if (bytesRead === 0)
                throw new Error(`${entry.name} shrank while it was being read`);
            this.fill += bytesRead;
            position += bytesRead;
            left -= bytesRead;
        }
        await this.put(Buffer.alloc(padding(entry.size)));
    }
    /** Ends the archive and returns the digest and size of everything written. */
    async finish() {
        await this.put(endOfArchive(this.total + this.fill));
        await this.flush();
        return { digest: `sha256:${this.hash.digest('hex')}`, size: this.total };
    }
    async put(bytes) {
        let offset = 0;
        while (offset < bytes.length) {
            if (this.fill === STAGING)
                await this.flush();
            const n = bytes.copy(this.buf, this.fill, offset);
            this.fill += n;
            offset += n;
        }
    }
    async flush() {
        if (this.fill === 0)
            return;
        const chunk = this.buf.subarray(0, this.fill);
        this.hash.update(chunk);
        await this.sink.write(chunk);
        this.total += this.fill;
        this.fill = 0;
    }
}

;// CONCATENATED MODULE: ./lib/layer/store-layer.js





/**
 * Writes store paths as one layer tar, byte-identical to nixpkgs'
 * stream_layered_image.py: `/nix` and `/nix/store` first, then each path in
 * the order given, its tree in Python's `sorted(Path)` order (component by
 * component), hard links as plain files, modes from the store.
 */
async function writeStoreLayer(paths, settings, sink) {
    const tar = new TarWriter(sink, settings);
    for (const dir of ['/nix', '/nix/store']) {
        await tar.entry({ name: dir, type: 'directory', mode: 0o755, size: 0, linkname: '' });
    }
    for (const p of paths)
        await writeTree(tar, p);
    return tar.finish();
}
async function writeTree(tar, p) {
    let st;
    try {
        st = (0,external_node_fs_namespaceObject.lstatSync)(p);
    }
    catch (e) {
        asUserError(e, `cannot read ${p}`);
    }
    if (st.isSymbolicLink()) {
        await tar.entry({ name: p, type: 'symlink', mode: st.mode, size: 0, linkname: (0,external_node_fs_namespaceObject.readlinkSync)(p) });
    }
    else if (st.isDirectory()) {
        await tar.entry({ name: p, type: 'directory', mode: st.mode, size: 0, linkname: '' });
        // Sorting the raw UTF-8 bytes gives Python's code-point order of names.
        const names = (0,external_node_fs_namespaceObject.readdirSync)(p, { encoding: 'buffer' }).sort((a, b) => Buffer.compare(a, b));
        for (const raw of names)
            await writeTree(tar, external_node_path_namespaceObject.join(p, utf8Name(raw, p)));
    }
    else if (st.isFile()) {
        let fd;
        try {
            fd = (0,external_node_fs_namespaceObject.openSync)(p, 'r');
        }
        catch (e) {
            asUserError(e, `cannot read ${p}`);
        }
        try {
            await tar.entry({ name: p, type: 'file', mode: st.mode, size: st.size, linkname: '' }, fd);
        }
        finally {
            (0,external_node_fs_namespaceObject.closeSync)(fd);
        }
    }
    else {
        throw new UserError(`${p} is neither a file, a directory nor a symlink; the Nix store holds no such thing`);
    }
}

;// CONCATENATED MODULE: ./lib/layer/workers.js






const ROLE = 'layered-image-layer-writer';
/**
 * Store layers written on worker threads, one layer per worker at a time:
 * reading, framing and SHA-256 run on every core instead of one. The worker
 * runs this very module, started with a marker in its workerData. From the
 * ncc bundles it runs `dist/layer-writer.js`, a bundle of this module alone,
 * rather than the whole Action with its HTTP and Azure clients.
 */
class LayerWriters {
    count;
    idle = [];
    waiting = [];
    all = [];
    next = 0;
    constructor(count) {
        this.count = count;
    }
    async write(task, onBytes) {
        const worker = await this.acquire();
        const id = this.next++;
        try {
            return await new Promise((resolve, reject) => {
                const onMessage = (reply) => {
                    if (reply.id !== id)
                        return;
                    if ('progress' in reply)
                        return onBytes(reply.progress);
                    worker.off('message', onMessage);
                    worker.off('error', onError);
                    if ('result' in reply)
                        resolve(reply.result);
                    else
                        reject(reply.user ? new UserError(reply.error) : new Error(reply.error));
                };
                const onError = (e) => {
                    worker.off('message', onMessage);
                    reject(e);
                };
                worker.on('message', onMessage);
                worker.once('error', onError);
                worker.postMessage({ id, task });
            });
        }
        finally {
            this.release(worker);
        }
    }
    async close() {
        await Promise.all(this.all.map((w) => w.terminate()));
    }
    async acquire() {
        const free = this.idle.pop();
        if (free !== undefined)
            return free;
        if (this.all.length < this.count) {
            const worker = new external_node_worker_threads_namespaceObject.Worker(workerScript(), { workerData: { role: ROLE } });
            this.all.push(worker);
            return worker;
        }
        await new Promise((resolve) => this.waiting.push(resolve));
        return this.acquire();
    }
    release(worker) {
        this.idle.push(worker);
        this.waiting.shift()?.();
    }
}
function workerScript() {
    const self = (0,external_node_url_namespaceObject.fileURLToPath)(import.meta.url);
    return external_node_path_namespaceObject.basename(self) === 'workers.js' ? self : external_node_path_namespaceObject.join(external_node_path_namespaceObject.dirname(self), 'layer-writer.js');
}
/** True on a thread started by LayerWriters, where entry points must stay idle. */
function isLayerWriterThread() {
    return !external_node_worker_threads_namespaceObject.isMainThread && external_node_worker_threads_namespaceObject.workerData?.role === ROLE;
}
if (isLayerWriterThread()) {
    const port = external_node_worker_threads_namespaceObject.parentPort;
    port?.on('message', (message) => {
        const { id, task } = message;
        void (async () => {
            const sink = await FileSink.create(task.file);
            try {
                const counted = {
                    write: (chunk) => {
                        port.postMessage({ id, progress: chunk.length });
                        return sink.write(chunk);
                    },
                    close: () => sink.close(),
                };
                return await writeStoreLayer(task.paths, task.settings, counted);
            }
            finally {
                await sink.close();
            }
        })().then((result) => port.postMessage({ id, result }), (e) => port.postMessage({ id, error: messageOf(e), user: e instanceof UserError }));
    });
}

var __webpack_exports__LayerWriters = __webpack_exports__.O;
var __webpack_exports__isLayerWriterThread = __webpack_exports__.p;
export { __webpack_exports__LayerWriters as LayerWriters, __webpack_exports__isLayerWriterThread as isLayerWriterThread };
