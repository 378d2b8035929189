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
  $: () => (/* binding */ LayerWorkers),
  _: () => (/* binding */ isLayerWorkerThread)
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
class errors_UserError extends Error {
    name = 'UserError';
}
/** A user's value as it should appear in a one-line message. */
function errors_show(value) {
    return /^[\x21-\x7e]+$/.test(value) ? value : JSON.stringify(value);
}
/** Message of an unknown thrown value, without assuming it is an Error. */
function messageOf(e) {
    return e instanceof Error ? e.message : String(e);
}
/** The errno code (`ENOENT`, …) of a failed system call, if it is one. */
function errors_errnoCode(e) {
    if (e instanceof Error && 'code' in e && typeof e.code === 'string')
        return e.code;
    return undefined;
}
// Failures of the machine rather than of the program: a full disk, a
// read-only or vanished file system, missing permissions.
const ENVIRONMENT_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO', 'EACCES', 'EPERM', 'ENOENT', 'ENOTDIR', 'EMFILE', 'ENFILE']);
/** Rethrows a file-system failure as one line saying what could not be done. */
function asUserError(e, what) {
    const code = errors_errnoCode(e);
    if (code !== undefined && ENVIRONMENT_ERRORS.has(code))
        throw new errors_UserError(`${what}: ${code}`);
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
        throw new errors_UserError(`a file name in ${dir} is not valid UTF-8 (${raw.toString('hex')}); such names are not supported`);
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
        throw new errors_UserError(`${p} is neither a file, a directory nor a symlink; the Nix store holds no such thing`);
    }
}

;// CONCATENATED MODULE: ./lib/digest.js

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
function digest_parseDigest(s) {
    if (!DIGEST_RE.test(s))
        throw new Error(`not a sha256 digest: ${s}`);
    return s;
}
/** The hex part, as used for file names inside a docker-archive. */
function digestHex(d) {
    return d.slice('sha256:'.length);
}
function sha256Digest(bytes) {
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

;// CONCATENATED MODULE: ./lib/nix/store.js



/** Where Nix keeps its store; Nix itself honours NIX_STORE_DIR the same way. */
function store_storeDir() {
    return path.resolve(process.env['NIX_STORE_DIR'] ?? '/nix/store');
}
// Nix's base-32 alphabet omits e, o, u and t; names use a small fixed set.
const HASH = '[0-9a-df-np-sv-z]{32}';
const NAME = '[A-Za-z0-9+\\-_?=][A-Za-z0-9+\\-._?=]*';
const BASENAME_RE = new RegExp(`^${HASH}-${NAME}$`);
/** True when `p` is `<store>/<hash>-<name>` exactly. */
function isStorePath(p, store = store_storeDir()) {
    return path.dirname(p) === store && BASENAME_RE.test(path.basename(p));
}
/** The `<hash>` part of a store path, the stable identity of its contents. */
function store_storePathHash(p) {
    return path.basename(p).slice(0, 32);
}
/** Every store path mentioned anywhere inside a string (e.g. `PATH=…:…`). */
function storePathsIn(text, store = store_storeDir()) {
    const re = new RegExp(`${escapeRe(store)}/${HASH}-[A-Za-z0-9+\\-._?=]+`, 'g');
    return [...text.matchAll(re)].map((m) => m[0]).filter((p) => isStorePath(p, store));
}
function escapeRe(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
const MAX_LINK_HOPS = 40;
/**
 * Resolves a `contents` argument (a store path, or a link to one such as
 * `./result`) to the store path it names. Links are followed one hop at a
 * time, stopping at the first store path, so a store path that is itself a
 * symlink is kept rather than dereferenced.
 */
async function resolveStorePath(raw, store = store_storeDir()) {
    const arg = show(raw);
    let p = path.resolve(raw);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
        if (p === store)
            throw new UserError(`contents ${arg} is the Nix store itself, not a store path`);
        if (isStorePath(p, store)) {
            await statOrFail(p, raw);
            return p;
        }
        const st = await statOrFail(p, raw);
        if (!st.isSymbolicLink()) {
            if (p.startsWith(`${store}/`)) {
                const top = p.slice(store.length + 1).split('/')[0] ?? '';
                if (isStorePath(`${store}/${top}`, store) && p.includes('/', store.length + 1)) {
                    throw new UserError(`contents ${arg} is inside store path ${store}/${top}; name the store path itself`);
                }
                throw new UserError(`contents ${arg} is not a valid store path`);
            }
            throw new UserError(`contents ${arg} is not in the Nix store (${store})`);
        }
        const target = await readlink(p);
        p = path.resolve(await realpath(path.dirname(p)), target);
    }
    throw new UserError(`contents ${arg}: too many levels of symbolic links (a symlink loop?)`);
}
async function statOrFail(p, raw) {
    const arg = show(raw);
    try {
        return await lstat(p);
    }
    catch (e) {
        const code = errnoCode(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') {
            throw new UserError(`contents ${arg} does not exist${p === path.resolve(raw) ? '' : ` (it leads to ${show(p)})`}`);
        }
        if (code === 'ELOOP')
            throw new UserError(`contents ${arg}: too many levels of symbolic links (a symlink loop?)`);
        throw new UserError(`contents ${arg} cannot be read: ${code ?? String(e)}`);
    }
}

;// CONCATENATED MODULE: ./lib/cache/key.js


/**
 * Bump whenever the store layer writer changes its bytes, so entries written
 * by an older writer are never mistaken for current ones.
 */
const key_LAYER_FORMAT_VERSION = 1;
const PREFIX = 'layered-image-layer-';
/**
 * The cache key of a store layer: everything that decides its bytes (the
 * writer's format, the store directory, the tar settings and the store-path
 * hashes in layer order) hashed to a fixed length, so no key is a prefix of
 * another — the Actions cache matches keys by prefix.
 */
function layerCacheKey(paths, settings) {
    const material = JSON.stringify({
        format: key_LAYER_FORMAT_VERSION,
        store: storeDir(),
        settings: [settings.mtime, settings.uid, settings.gid, settings.uname, settings.gname],
        paths: paths.map(storePathHash),
    });
    return PREFIX + createHash('sha256').update(material).digest('hex');
}

;// CONCATENATED MODULE: ./lib/cache/scan-layer.js


/**
 * Walks the members of a cached store layer, strictly. The cache only ever
 * holds what our writer wrote — ustar headers, PAX records for long or
 * non-ASCII fields, files, directories and symlinks — so anything else is
 * refused rather than interpreted: a lenient reader could be shown a member
 * that the container runtime's own tar reader would see differently.
 * Returns the member names, or the reason the layer is not one of ours.
 */
function scanLayerMembers(file, size) {
    const fd = (0,external_node_fs_namespaceObject.openSync)(file, 'r');
    try {
        const names = [];
        const block = Buffer.alloc(BLOCK);
        let pos = 0;
        let pax;
        for (;;) {
            if (pos + BLOCK > size)
                return { bad: 'it ends inside a tar header' };
            readExactly(fd, block, pos);
            if (block.every((b) => b === 0)) {
                if (pax !== undefined)
                    return { bad: 'it ends after a PAX header' };
                return { names };
            }
            const header = parseHeader(block);
            if (typeof header === 'string')
                return { bad: header };
            const dataBlocks = Math.ceil(header.size / BLOCK) * BLOCK;
            if (pos + BLOCK + dataBlocks > size)
                return { bad: 'a member runs past its end' };
            if (header.type === 'x') {
                if (pax !== undefined)
                    return { bad: 'it has two PAX headers in a row' };
                if (header.size > 1 << 20)
                    return { bad: 'it has an oversized PAX header' };
                const records = Buffer.alloc(header.size);
                readExactly(fd, records, pos + BLOCK);
                const parsed = parsePax(records);
                if (typeof parsed === 'string')
                    return { bad: parsed };
                pax = parsed;
            }
            else {
                const name = pax?.get('path') ?? header.name;
                const memberSize = pax?.has('size') ? Number(pax.get('size')) : header.size;
                if (memberSize !== header.size && header.size !== 0)
                    return { bad: `${name} has two sizes` };
                if (header.type !== 'file' && memberSize !== 0)
                    return { bad: `${name} is a ${header.type} with content` };
                names.push({ name, type: header.type });
                pax = undefined;
                pos += BLOCK + Math.ceil(memberSize / BLOCK) * BLOCK;
                continue;
            }
            pos += BLOCK + dataBlocks;
        }
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
    }
}
const TYPES = { 0x30: 'file', 0x35: 'directory', 0x32: 'symlink', 0x78: 'x' };
const PAX_KEYS = new Set(['path', 'linkpath', 'uname', 'gname', 'uid', 'gid', 'size', 'mtime']);
function parseHeader(b) {
    let sum = 0;
    for (let i = 0; i < BLOCK; i++)
        sum += i >= 148 && i < 156 ? 0x20 : b[i];
    if (octal(b, 148, 8) !== sum)
        return 'a tar header has a wrong checksum';
    if (b.toString('latin1', 257, 265) !== 'ustar\u000000')
        return 'a tar header is not ustar';
    const type = TYPES[b[156]];
    if (type === undefined)
        return `it holds an entry of type ${JSON.stringify(String.fromCharCode(b[156]))}`;
    if (b.subarray(345, 500).some((x) => x !== 0))
        return 'a tar header uses the ustar name prefix';
    const size = octal(b, 124, 12);
    if (Number.isNaN(size))
        return 'a tar header has an unreadable size';
    const end = b.indexOf(0, 0);
    const name = b.toString('utf8', 0, end === -1 || end > 100 ? 100 : end);
    return { name, type, size };
}
function octal(b, offset, length) {
    const text = b.toString('latin1', offset, offset + length).replace(/[\0 ]+$/, '');
    return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}
function parsePax(records) {
    const out = new Map();
    let pos = 0;
    while (pos < records.length) {
        const space = records.indexOf(0x20, pos);
        if (space === -1)
            return 'a PAX record is malformed';
        const length = Number(records.toString('latin1', pos, space));
        if (!Number.isSafeInteger(length) || length <= 0 || pos + length > records.length || records[pos + length - 1] !== 0x0a) {
            return 'a PAX record is malformed';
        }
        const record = records.toString('utf8', space + 1, pos + length - 1);
        const eq = record.indexOf('=');
        const key = record.slice(0, eq);
        if (eq === -1 || !PAX_KEYS.has(key))
            return `it has a PAX record we never write (${JSON.stringify(key)})`;
        out.set(key, record.slice(eq + 1));
        pos += length;
    }
    return out;
}
function readExactly(fd, buf, position) {
    let done = 0;
    while (done < buf.length) {
        const n = (0,external_node_fs_namespaceObject.readSync)(fd, buf, done, buf.length - done, position + done);
        if (n === 0)
            throw new Error('unexpected end of file');
        done += n;
    }
}

;// CONCATENATED MODULE: ./lib/cache/verify.js







/**
 * Decides whether a restored entry may go into an image. It must describe
 * exactly the layer asked for (key, format, store paths), its bytes must
 * hash to its recorded digest, and every tar member must lie under those
 * store paths (or be `/nix`, `/nix/store`): no `..`, nothing elsewhere.
 * Returns the metadata when it passes, otherwise the reason it does not.
 */
async function verifyCachedLayer(entry, expected, readLayer = scanAndHash) {
    const meta = checkMeta(entry.meta, expected);
    if (typeof meta === 'string')
        return { ok: false, reason: meta };
    const st = await lstat(entry.file).catch(() => undefined);
    if (st === undefined || !st.isFile())
        return { ok: false, reason: 'its layer is missing or not a regular file' };
    const size = st.size;
    if (size !== meta.size)
        return { ok: false, reason: `its layer has ${size} bytes, its metadata says ${meta.size}` };
    const read = await readLayer(entry.file, size);
    if ('bad' in read)
        return { ok: false, reason: read.bad };
    for (const member of read.names) {
        const bad = checkMember(member, meta.paths);
        if (bad !== undefined)
            return { ok: false, reason: bad };
    }
    const digest = read.digest;
    if (digest !== meta.digest)
        return { ok: false, reason: `its layer hashes to ${digest}, its metadata says ${meta.digest}` };
    return { ok: true, meta };
}
/** The reader on this thread; LayerWorkers runs the same on a worker. */
function scanAndHash(file, size) {
    const scan = scanLayerMembers(file, size);
    if ('bad' in scan)
        return Promise.resolve(scan);
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    const fd = (0,external_node_fs_namespaceObject.openSync)(file, 'r');
    try {
        const buf = Buffer.allocUnsafe(8 << 20);
        for (let n; (n = (0,external_node_fs_namespaceObject.readSync)(fd, buf, 0, buf.length, null)) > 0;)
            hash.update(buf.subarray(0, n));
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
    }
    return Promise.resolve({ names: scan.names, digest: `sha256:${hash.digest('hex')}` });
}
function checkMeta(raw, expected) {
    if (raw === null || typeof raw !== 'object')
        return 'its metadata is missing or not an object';
    const m = raw;
    if (m['format'] !== LAYER_FORMAT_VERSION)
        return `its metadata has format ${String(m['format'])}, not ${LAYER_FORMAT_VERSION}`;
    if (m['key'] !== expected.key)
        return 'its metadata names another key';
    const paths = m['paths'];
    if (!Array.isArray(paths) || paths.length !== expected.paths.length || paths.some((p, i) => p !== expected.paths[i])) {
        return 'its metadata names other store paths than the key was made from';
    }
    if (!Number.isSafeInteger(m['size']) || m['size'] < 0)
        return 'its metadata has no valid size';
    let digest;
    try {
        digest = parseDigest(String(m['digest']));
    }
    catch {
        return 'its metadata has no valid digest';
    }
    return { format: LAYER_FORMAT_VERSION, key: expected.key, digest, size: m['size'], paths: [...expected.paths] };
}
function checkMember(header, paths) {
    const name = header.name.replace(/\/+$/, '');
    const kind = header.type;
    if (!name.startsWith('/') || name.split('/').some((c) => c === '..' || c === '.') || path.posix.normalize(name) !== name) {
        return `it holds a member outside the store paths: ${header.name}`;
    }
    if (name === '/nix' || name === '/nix/store')
        return kind === 'directory' ? undefined : `it holds a ${kind} at ${name}`;
    if (paths.some((p) => name === p || name.startsWith(`${p}/`)))
        return undefined;
    return `it holds a member outside the store paths: ${header.name}`;
}

;// CONCATENATED MODULE: ./lib/layer/workers.js







const ROLE = 'layered-image-layer-writer';
/**
 * Store layers written, and cached layers read back, on worker threads, one
 * layer per worker at a time: reading, framing and SHA-256 run on every core
 * instead of one. The worker
 * runs this very module, started with a marker in its workerData. From the
 * ncc bundles it runs `dist/layer-writer.js`, a bundle of this module alone,
 * rather than the whole Action with its HTTP and Azure clients.
 */
class LayerWorkers {
    count;
    idle = [];
    waiting = [];
    all = [];
    next = 0;
    constructor(count) {
        this.count = count;
    }
    write(task, onBytes) {
        return this.run({ kind: 'write', task }, onBytes);
    }
    /** A cached layer's members and digest, read on a worker (see verify.ts). */
    scan(file, size) {
        return this.run({ kind: 'scan', file, size }, () => { });
    }
    async run(job, onBytes) {
        const worker = await this.acquire();
        const id = this.next++;
        try {
            return await new Promise((resolve, reject) => {
                const done = () => {
                    worker.off('message', onMessage);
                    worker.off('error', onError);
                    worker.off('exit', onExit);
                };
                const onMessage = (reply) => {
                    if (reply.id !== id)
                        return;
                    if ('progress' in reply)
                        return onBytes(reply.progress);
                    done();
                    if ('result' in reply)
                        resolve(reply.result);
                    else
                        reject(reply.user ? new errors_UserError(reply.error) : new Error(reply.error));
                };
                const onError = (e) => {
                    done();
                    reject(e);
                };
                // A worker that dies without a word must not leave the build waiting.
                const onExit = (code) => {
                    done();
                    reject(new Error(`a layer worker exited (code ${code}) in the middle of a layer`));
                };
                worker.on('message', onMessage);
                worker.once('error', onError);
                worker.once('exit', onExit);
                worker.postMessage({ id, job });
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
/** True on a thread started by LayerWorkers, where entry points must stay idle. */
function isLayerWorkerThread() {
    return !external_node_worker_threads_namespaceObject.isMainThread && external_node_worker_threads_namespaceObject.workerData?.role === ROLE;
}
if (isLayerWorkerThread()) {
    const port = external_node_worker_threads_namespaceObject.parentPort;
    port?.on('message', (message) => {
        const { id, job } = message;
        if (job.kind === 'scan') {
            scanAndHash(job.file, job.size).then((result) => port.postMessage({ id, result }), (e) => port.postMessage({ id, error: messageOf(e), user: e instanceof errors_UserError }));
            return;
        }
        const task = job.task;
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
        })().then((result) => port.postMessage({ id, result }), (e) => port.postMessage({ id, error: messageOf(e), user: e instanceof errors_UserError }));
    });
}

var __webpack_exports__LayerWorkers = __webpack_exports__.$;
var __webpack_exports__isLayerWorkerThread = __webpack_exports__._;
export { __webpack_exports__LayerWorkers as LayerWorkers, __webpack_exports__isLayerWorkerThread as isLayerWorkerThread };
