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
;// CONCATENATED MODULE: ./lib/inputs/marker.js
/*
 * Marking an input's name needs nothing of the table of inputs: this module
 * stays apart so that the layer workers' bundle, whose messages name
 * inputs, does not carry the table.
 */
// Private-use characters: nothing a user types, so nothing to mistake.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKED = /\uE000(\w+)\uE001/g;
/** An input's name inside a message, to be spelled by `spellInputs`. */
function marker_input(name) {
    return `${OPEN}${name}${CLOSE}`;
}
/** A message with every input named as the Action's user knows it: the name alone. */
function unmarkInputs(message) {
    return message.replace(MARKED, '$1');
}

;// CONCATENATED MODULE: ./lib/errors.js

/**
 * Bad input from the user: rendered as one line naming the bad value, never
 * with a stack trace. Anything that is not a UserError is a bug.
 */
class errors_UserError extends Error {
    name = 'UserError';
    /** The message with its inputs marked (inputs.ts), for the CLI to name by their flags. */
    marked;
    /** `message` may name inputs with input(NAME); `.message` names them as the Action's inputs. */
    constructor(message, options) {
        super(unmarkInputs(message), options);
        this.marked = message;
    }
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
function errors_asUserError(e, what) {
    const code = errors_errnoCode(e);
    if (code !== undefined && ENVIRONMENT_ERRORS.has(code))
        throw new errors_UserError(`${what}: ${code}`);
    throw e;
}

;// CONCATENATED MODULE: external "node:crypto"
const external_node_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:zlib"
const external_node_zlib_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");
;// CONCATENATED MODULE: external "node:stream"
const external_node_stream_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");
;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
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
        const fh = await open(file, 'wx', 0o644).catch((e) => asUserError(e, `cannot write ${file}`));
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
class RangeSink {
    target;
    written = 0;
    constructor(target) {
        this.target = target;
    }
    static open(target) {
        return new RangeSink({ ...target, fd: target.stream ?? openFd(target.file, target.label, 'r+') });
    }
    write(chunk) {
        const { fd, label, offset, size } = this.target;
        if (this.written + chunk.length > size) {
            throw new errors_UserError(this.target.overflow ?? `a layer came out larger than planned (${size} bytes): its store paths changed while it was being written`);
        }
        writeFully(fd, label, chunk, this.target.stream === undefined ? offset + this.written : null);
        this.written += chunk.length;
        return Promise.resolve();
    }
    close() {
        if (this.target.stream === undefined)
            (0,external_node_fs_namespaceObject.closeSync)(this.target.fd);
        return Promise.resolve();
    }
}
function openFd(file, label, flags) {
    try {
        return (0,external_node_fs_namespaceObject.openSync)(file, flags, 0o644);
    }
    catch (e) {
        return errors_asUserError(e, `cannot write ${label}`);
    }
}
/** Writes all of `bytes` at `position` (or the file position, for null); `label` names the file in errors. */
function writeFully(fd, label, bytes, position) {
    let done = 0;
    while (done < bytes.length) {
        try {
            done += (0,external_node_fs_namespaceObject.writeSync)(fd, bytes, done, bytes.length - done, position === null ? null : position + done);
        }
        catch (e) {
            // A pipe in non-blocking mode (standard output, as a parent may leave
            // it) is full: its reader is slower. Wait a little, as a blocking write would.
            if (errors_errnoCode(e) === 'EAGAIN') {
                Atomics.wait(PAUSE, 0, 0, 2);
                continue;
            }
            if (errors_errnoCode(e) === 'EPIPE')
                throw new errors_UserError(`cannot write ${label}: its reader has gone (EPIPE)`);
            errors_asUserError(e, `cannot write ${label}`);
        }
    }
}
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

;// CONCATENATED MODULE: ./lib/layer/compress.js







const COMPRESSIONS = (/* unused pure expression or super */ null && (['gzip', 'zstd', 'none']));
/**
 * gzip level 1 packs at about twice the speed of level 6 on these machines
 * (107 against 51 MB/s a core) for a blob 10% larger; compressing is most
 * of a cold push, and every later push reuses the blob.
 */
const compress_GZIP_LEVEL = 1;
const compress_ZSTD_LEVEL = 3;
/** Node has zstd from 22.15 (and the Actions runtime, node24); not 20. */
function zstdAvailable() {
    return typeof zlib.createZstdCompress === 'function';
}
function checkCompression(c) {
    if (c === 'zstd' && !zstdAvailable()) {
        throw new UserError(`${input('compression')} "zstd" needs Node 22.15 or later (this is Node ${process.versions.node}); use gzip`);
    }
}
/** The layer media type for a compression, in the OCI or the Docker manifest format. */
function layerMediaType(c, format) {
    if (format === 'docker') {
        // options.ts refuses the pair; reaching here is a bug.
        if (c !== 'gzip')
            throw new Error(`Docker manifests take gzip layers only, not ${c}`);
        return 'application/vnd.docker.image.rootfs.diff.tar.gzip';
    }
    return c === 'none' ? 'application/vnd.oci.image.layer.v1.tar' : `application/vnd.oci.image.layer.v1.tar+${c}`;
}
/** The compression a layer media type names (OCI or Docker), if it is a layer type at all: layerMediaType's inverse. */
function compressionOf(mediaType) {
    if (mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip' || mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip')
        return 'gzip';
    if (mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd')
        return 'zstd';
    if (mediaType === 'application/vnd.oci.image.layer.v1.tar' || mediaType === 'application/vnd.docker.image.rootfs.diff.tar')
        return 'none';
    return undefined;
}
function compressor(c) {
    // No flushes, so for one zlib the bytes depend on the input alone, not on
    // how it was chunked; zlib's gzip header carries no name and a zero time.
    if (c === 'gzip')
        return external_node_zlib_namespaceObject.createGzip({ level: compress_GZIP_LEVEL, chunkSize: 1 << 20 });
    const z = external_node_zlib_namespaceObject;
    if (z.createZstdCompress === undefined || z.constants.ZSTD_c_compressionLevel === undefined)
        throw new errors_UserError('zstd is not available in this Node');
    return z.createZstdCompress({ params: { [z.constants.ZSTD_c_compressionLevel]: compress_ZSTD_LEVEL } });
}
/**
 * Compresses a range of a file (a layer in its place) into a new file,
 * streaming, and returns the compressed digest and size. Runs on a layer
 * worker, so compression of several layers uses every core.
 */
async function compressRange(source, c, out, onBytes) {
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    let size = 0;
    const counted = new external_node_stream_namespaceObject.Transform({
        transform(chunk, _encoding, done) {
            hash.update(chunk);
            size += chunk.length;
            done(null, chunk);
        },
    });
    const input = (0,external_node_fs_namespaceObject.createReadStream)(source.file, { start: source.offset, end: source.offset + source.size - 1, highWaterMark: 1 << 20 });
    input.on('data', (chunk) => onBytes(chunk.length));
    try {
        await (0,external_node_stream_promises_namespaceObject.pipeline)(input, compressor(c), counted, (0,external_node_fs_namespaceObject.createWriteStream)(out, { flags: 'wx', mode: 0o644 }));
    }
    catch (e) {
        errors_asUserError(e, `cannot compress a layer into ${out}`);
    }
    return { digest: `sha256:${hash.digest('hex')}`, size };
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
    const found = await resolveRoot(raw, store);
    if (!found.present)
        await statOrFail(found.path, raw);
    return found.path;
}
/**
 * `resolveStorePath`, but a store path that is not in the local store (a
 * `./result` left by a build on another machine, an out path `nix eval`
 * printed) is returned as missing rather than refused: a substituter may
 * have it.
 */
async function resolveRoot(raw, store = store_storeDir()) {
    const arg = show(raw);
    let p = path.resolve(raw);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
        if (p === store)
            throw new UserError(`${input('contents')} ${arg} is the Nix store itself, not a store path`);
        if (isStorePath(p, store)) {
            const present = await lstat(p).then(() => true, (e) => (['ENOENT', 'ENOTDIR'].includes(errnoCode(e) ?? '') ? false : statOrFail(p, raw).then(() => true)));
            return { path: p, present };
        }
        const st = await statOrFail(p, raw);
        if (!st.isSymbolicLink()) {
            if (p.startsWith(`${store}/`)) {
                const top = p.slice(store.length + 1).split('/')[0] ?? '';
                if (isStorePath(`${store}/${top}`, store) && p.includes('/', store.length + 1)) {
                    throw new UserError(`${input('contents')} ${arg} is inside store path ${store}/${top}; name the store path itself`);
                }
                throw new UserError(`${input('contents')} ${arg} is not a valid store path`);
            }
            throw new UserError(`${input('contents')} ${arg} is not in the Nix store (${store})`);
        }
        const target = await readlink(p);
        p = path.resolve(await realpath(path.dirname(p)), target);
    }
    throw new UserError(`${input('contents')} ${arg}: too many levels of symbolic links (a symlink loop?)`);
}
async function statOrFail(p, raw) {
    const arg = show(raw);
    try {
        return await lstat(p);
    }
    catch (e) {
        const code = errnoCode(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') {
            throw new UserError(`${input('contents')} ${arg} does not exist${p === path.resolve(raw) ? '' : ` (it leads to ${show(p)})`}`);
        }
        if (code === 'ELOOP')
            throw new UserError(`${input('contents')} ${arg}: too many levels of symbolic links (a symlink loop?)`);
        throw new UserError(`${input('contents')} ${arg} cannot be read: ${code ?? String(e)}`);
    }
}

;// CONCATENATED MODULE: ./lib/cache/key.js



/**
 * Bump whenever the store layer writer, or the customisation layer's,
 * changes its bytes, so entries and pushed layers written by an older
 * writer are never mistaken for current ones.
 */
const LAYER_FORMAT_VERSION = 1;
/** Bump whenever a blob entry's layout or metadata changes. */
const key_BLOB_FORMAT_VERSION = 1;
const PREFIX = 'layered-image-layer-';
const BLOB_PREFIX = 'layered-image-blob-';
/**
 * The cache key of a store layer: everything that decides its bytes (the
 * writer's format, the store directory, the tar settings and the store-path
 * hashes in layer order) hashed to a fixed length, so no key is a prefix of
 * another — the Actions cache matches keys by prefix.
 */
function layerCacheKey(paths, settings) {
    const material = JSON.stringify({
        format: LAYER_FORMAT_VERSION,
        store: storeDir(),
        settings: [settings.mtime, settings.uid, settings.gid, settings.uname, settings.gname],
        paths: paths.map(storePathHash),
    });
    return PREFIX + createHash('sha256').update(material).digest('hex');
}
/**
 * The key of the customisation layer where its bytes follow from the
 * contents alone (no script, no Nix database): their store-path hashes in
 * order and the tar settings. Pushed on the layer's annotations, it lets a
 * later push know the registry holds the layer without reading the
 * contents' trees (from their NARs, where they are not in the store).
 */
function customisationKey(contents, settings, opts) {
    if (opts.extraCommands !== undefined || opts.includeNixDB)
        return undefined;
    const material = JSON.stringify({
        format: LAYER_FORMAT_VERSION,
        kind: 'customisation',
        store: storeDir(),
        settings: [settings.mtime, settings.uid, settings.gid, settings.uname, settings.gname],
        contents: contents.map(storePathHash),
    });
    return PREFIX + createHash('sha256').update(material).digest('hex');
}
/**
 * The key of a layer's compressed blob: the layer's key, the compression,
 * its level and the compressor's version (another zlib or zstd may pack the
 * same layer into other bytes, and a restored blob must be the one this
 * machine would make); fixed-length too.
 */
function blobCacheKey(layerKey, compression) {
    const level = compression === 'gzip' ? GZIP_LEVEL : ZSTD_LEVEL;
    const versions = process.versions;
    const compressor = compression === 'gzip' ? `zlib ${versions.zlib}` : `zstd ${versions.zstd ?? process.versions.node}`;
    const material = JSON.stringify({ format: key_BLOB_FORMAT_VERSION, layer: layerKey, compression, level, compressor });
    return BLOB_PREFIX + createHash('sha256').update(material).digest('hex');
}

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
    const { fields, numbers, pax } = headerFields(entry, s);
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
/** How many bytes encodeHeader gives for this entry, without encoding it. */
function headerSize(entry, s) {
    const { pax } = headerFields(entry, s);
    if (pax.length === 0)
        return BLOCK;
    const records = pax.reduce((n, [k, v]) => n + paxRecordLength(k, v), 0);
    return 2 * BLOCK + records + padding(records);
}
/** The ustar fields, and the PAX records for what ustar cannot hold. */
function headerFields(entry, s) {
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
    return { fields, numbers, pax };
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
    return Buffer.from(`${paxRecordLength(key, value)} ${key}=${value}\n`, 'utf8');
}
function paxRecordLength(key, value) {
    const body = Buffer.byteLength(key) + Buffer.byteLength(value) + 3;
    let len = body;
    while (len !== body + String(len).length)
        len = body + String(len).length;
    return len;
}
/*
 * Reading headers back: the strict scan of cached blobs' layers and the lenient
 * reader of base images share these.
 */
const ZERO_BLOCK = Buffer.alloc(BLOCK);
/** An octal numeric field, NUL- or space-terminated; NaN if it is not one. */
function readOctal(b, offset, length) {
    const text = b.toString('latin1', offset, offset + length).replace(/[\0 ]+$/, '').replace(/^ +/, '');
    return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}
/** A text field, up to its first NUL. */
function readText(b, offset, length) {
    const end = b.indexOf(0, offset);
    return b.toString('utf8', offset, end === -1 || end > offset + length ? offset + length : end);
}
/** Whether a header block's checksum (its bytes, the checksum field as spaces) is right. */
function checksumMatches(b) {
    let sum = 0;
    for (let i = 0; i < BLOCK; i++)
        sum += i >= 148 && i < 156 ? 0x20 : b[i];
    return readOctal(b, 148, 8) === sum;
}

;// CONCATENATED MODULE: ./lib/cache/scan-layer.js

/**
 * Walks the members of a cached store layer, strictly, from the chunks it
 * is fed as its blob is decompressed: the blob is read once, for hashing,
 * decompressing and scanning together. The cache only ever holds what our writer
 * wrote — ustar headers, PAX records for long or non-ASCII fields, files,
 * directories and symlinks, zeros after the end — so anything else is
 * refused rather than interpreted: a lenient reader could be shown a member
 * that the container runtime's own tar reader would see differently.
 */
class LayerScanner {
    size;
    check;
    /** Bytes of the layer consumed so far. */
    offset = 0;
    /** What the next bytes are. */
    state = 'header';
    block = Buffer.alloc(BLOCK);
    fill = 0;
    paxRecords = Buffer.alloc(0);
    pax;
    /** Bytes of content (and padding) still to pass over. */
    left = 0;
    bad;
    constructor(
    /** The layer's size, known before its bytes are: for bounds checks. */
    size, 
    /** Returns why a member may not be in this layer, if it may not. */
    check) {
        this.size = size;
        this.check = check;
    }
    /** The reason the layer is refused, once one is known. */
    get refused() {
        return this.bad;
    }
    feed(chunk) {
        let i = 0;
        while (i < chunk.length && this.bad === undefined) {
            switch (this.state) {
                case 'skip': {
                    const n = Math.min(this.left, chunk.length - i);
                    i += n;
                    this.offset += n;
                    this.left -= n;
                    if (this.left === 0)
                        this.state = 'header';
                    break;
                }
                case 'header':
                case 'pax': {
                    const into = this.state === 'header' ? this.block : this.paxRecords;
                    const n = chunk.copy(into, this.fill, i, i + into.length - this.fill);
                    i += n;
                    this.offset += n;
                    this.fill += n;
                    if (this.fill === into.length) {
                        this.fill = 0;
                        if (this.state === 'header')
                            this.header();
                        else
                            this.records();
                    }
                    break;
                }
                case 'zeros': {
                    const rest = chunk.subarray(i);
                    if (!isZero(rest))
                        this.bad = 'it has data after its end';
                    i = chunk.length;
                    this.offset += rest.length;
                    break;
                }
            }
        }
    }
    /** Call after the last chunk: the reason to refuse the layer, if any. */
    end() {
        if (this.bad === undefined && this.state !== 'zeros') {
            this.bad = this.state === 'header' && this.fill === 0 ? 'it ends before its end-of-archive block' : 'it ends inside a tar member';
        }
        return this.bad;
    }
    header() {
        const start = this.offset - BLOCK;
        if (this.block.equals(ZERO_BLOCK)) {
            if (this.pax !== undefined)
                this.bad = 'it ends after a PAX header';
            this.state = 'zeros';
            return;
        }
        const header = parseHeader(this.block);
        if (typeof header === 'string') {
            this.bad = header;
            return;
        }
        const dataBlocks = Math.ceil(header.size / BLOCK) * BLOCK;
        if (start + BLOCK + dataBlocks > this.size) {
            this.bad = 'a member runs past its end';
            return;
        }
        if (header.type === 'x') {
            if (this.pax !== undefined)
                this.bad = 'it has two PAX headers in a row';
            else if (header.size > 1 << 20)
                this.bad = 'it has an oversized PAX header';
            else if (header.size === 0)
                this.bad = 'a PAX header is empty';
            else {
                this.paxRecords = Buffer.alloc(header.size);
                this.left = dataBlocks - header.size;
                this.state = 'pax';
            }
            return;
        }
        const pax = this.pax;
        this.pax = undefined;
        const name = pax?.get('path') ?? header.name;
        const memberSize = pax?.has('size') ? Number(pax.get('size')) : header.size;
        if (memberSize !== header.size && header.size !== 0) {
            this.bad = `${name} has two sizes`;
            return;
        }
        if (header.type !== 'file' && memberSize !== 0) {
            this.bad = `${name} is a ${header.type} with content`;
            return;
        }
        if (start + BLOCK + Math.ceil(memberSize / BLOCK) * BLOCK > this.size) {
            this.bad = 'a member runs past its end';
            return;
        }
        this.bad = this.check({ name, type: header.type });
        this.left = Math.ceil(memberSize / BLOCK) * BLOCK;
        this.state = this.left > 0 ? 'skip' : 'header';
    }
    records() {
        const parsed = parsePax(this.paxRecords);
        if (typeof parsed === 'string') {
            this.bad = parsed;
            return;
        }
        this.pax = parsed;
        this.state = this.left > 0 ? 'skip' : 'header';
    }
}
// Byte-wise JS loops over every header were a tenth of a warm build's time.
function isZero(bytes) {
    for (let i = 0; i < bytes.length; i += BLOCK) {
        const part = bytes.subarray(i, i + BLOCK);
        if (!part.equals(ZERO_BLOCK.subarray(0, part.length)))
            return false;
    }
    return true;
}
const TYPES = { 0x30: 'file', 0x35: 'directory', 0x32: 'symlink', 0x78: 'x' };
const PAX_KEYS = new Set(['path', 'linkpath', 'uname', 'gname', 'uid', 'gid', 'size', 'mtime']);
const NUMERIC_PAX_KEYS = new Set(['uid', 'gid', 'size', 'mtime']);
function parseHeader(b) {
    if (!checksumMatches(b))
        return 'a tar header has a wrong checksum';
    if (b.toString('latin1', 257, 265) !== 'ustar\u000000')
        return 'a tar header is not ustar';
    const type = TYPES[b[156]];
    if (type === undefined)
        return `it holds an entry of type ${JSON.stringify(String.fromCharCode(b[156]))}`;
    if (!isZero(b.subarray(345, 500)))
        return 'a tar header uses the ustar name prefix';
    const size = readOctal(b, 124, 12);
    if (Number.isNaN(size))
        return 'a tar header has an unreadable size';
    for (const [offset, length] of [[100, 8], [108, 8], [116, 8], [136, 12]]) {
        if (Number.isNaN(readOctal(b, offset, length)))
            return 'a tar header has an unreadable mode, owner or time';
    }
    return { name: readText(b, 0, 100), type, size };
}
function parsePax(records) {
    const out = new Map();
    let pos = 0;
    while (pos < records.length) {
        const space = records.indexOf(0x20, pos);
        if (space === -1)
            return 'a PAX record is malformed';
        // As strict as Go's archive/tar (what docker and podman read with), or
        // stricter: a record it refuses would make an image that does not load.
        const digits = records.toString('latin1', pos, space);
        const length = /^[1-9][0-9]*$/.test(digits) ? Number(digits) : NaN;
        if (!Number.isSafeInteger(length) || pos + length > records.length || records[pos + length - 1] !== 0x0a) {
            return 'a PAX record is malformed';
        }
        const record = records.toString('utf8', space + 1, pos + length - 1);
        const eq = record.indexOf('=');
        const key = record.slice(0, eq);
        if (eq === -1 || !PAX_KEYS.has(key))
            return `it has a PAX record we never write (${JSON.stringify(key)})`;
        const value = record.slice(eq + 1);
        if (value.includes('\0'))
            return `its PAX ${key} holds a NUL`;
        if (NUMERIC_PAX_KEYS.has(key) && !(/^[0-9]+$/.test(value) && Number.isSafeInteger(Number(value))))
            return `its PAX ${key} is not a whole number`;
        out.set(key, value);
        pos += length;
    }
    return out;
}

;// CONCATENATED MODULE: ./lib/cache/verify.js












/**
 * The checks of a restored blob entry that need no reading of it: its
 * metadata must describe exactly the layer asked for (key, format,
 * compression, store paths) and its blob must be a regular file of the
 * recorded size. The bytes are checked by checkBlobBytes, on a worker.
 */
async function checkCachedBlob(entry, expected) {
    const meta = checkMeta(entry.meta, expected);
    if (typeof meta === 'string')
        return { ok: false, reason: meta };
    const st = await lstat(entry.file).catch(() => undefined);
    if (st === undefined || !st.isFile())
        return { ok: false, reason: 'its blob is missing or not a regular file' };
    if (st.size !== meta.blobSize)
        return { ok: false, reason: `its blob has ${st.size} bytes, its metadata says ${meta.blobSize}` };
    return { ok: true, meta };
}
const CHUNK = 4 << 20;
function decompressor(c) {
    if (c === 'gzip')
        return external_node_zlib_namespaceObject.createGunzip({ chunkSize: 1 << 20 });
    const make = external_node_zlib_namespaceObject.createZstdDecompress;
    if (make === undefined)
        throw new Error('zstd is not available in this Node');
    return make();
}
/**
 * Reads a cached blob once: its bytes are hashed (they must be the blob the
 * metadata names) and decompressed, and the layer that comes out is hashed
 * (it must be the diff_id and size the image config will say) and scanned
 * strictly as tar — every member under the layer's store paths, or `/nix`,
 * `/nix/store`: no `..`, nothing elsewhere — so that a cache that lies
 * cannot put anything in an image. Returns why it may not be used, if so.
 */
async function checkBlobBytes(file, meta) {
    let fh;
    try {
        // Checked before by name; the name may have been given another file
        // since: never follow a link or wait on a FIFO.
        fh = await (0,promises_namespaceObject.open)(file, external_node_fs_namespaceObject.constants.O_RDONLY | external_node_fs_namespaceObject.constants.O_NOFOLLOW | external_node_fs_namespaceObject.constants.O_NONBLOCK);
    }
    catch (e) {
        return { bad: `its blob cannot be read (${errors_errnoCode(e) ?? messageOf(e)})` };
    }
    try {
        if (!(await fh.stat()).isFile())
            return { bad: 'its blob changed after it was checked' };
        const blobHash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
        let blobBytes = 0;
        const layerHash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
        let layerBytes = 0;
        const members = memberCheck(meta.paths);
        const scanner = new LayerScanner(meta.size, members.check);
        let refused;
        const hashed = new external_node_stream_namespaceObject.Transform({
            transform(chunk, _encoding, done) {
                blobHash.update(chunk);
                blobBytes += chunk.length;
                done(null, chunk);
            },
        });
        // Refusing a layer ends the pipeline early: the rest is not read.
        const scanned = new external_node_stream_namespaceObject.Writable({
            write(chunk, _encoding, done) {
                layerBytes += chunk.length;
                if (layerBytes > meta.size)
                    refused = `its layer is larger than the ${meta.size} bytes its metadata says`;
                else
                    scanner.feed(chunk);
                refused ??= scanner.refused;
                layerHash.update(chunk);
                done(refused === undefined ? null : new Error(refused));
            },
        });
        try {
            await (0,external_node_stream_promises_namespaceObject.pipeline)(fh.createReadStream({ autoClose: false, highWaterMark: 1 << 20 }), hashed, decompressor(meta.compression), scanned);
        }
        catch (e) {
            return { bad: refused ?? `its blob does not decompress (${messageOf(e)})` };
        }
        const blobDigest = `sha256:${blobHash.digest('hex')}`;
        if (blobBytes !== meta.blobSize || blobDigest !== meta.digest)
            return { bad: `its blob hashes to ${blobDigest}, its metadata says ${meta.digest}` };
        const bad = scanner.end() ?? members.missing();
        if (bad !== undefined)
            return { bad };
        const diffId = `sha256:${layerHash.digest('hex')}`;
        if (layerBytes !== meta.size || diffId !== meta.diffId)
            return { bad: `its layer hashes to ${diffId} (${layerBytes} bytes), its metadata says ${meta.diffId} (${meta.size})` };
        return {};
    }
    finally {
        await fh.close();
    }
}
/**
 * Copies a base image's layer from its place in the base tarball into its
 * place in the image, reading it once: the same chunks are hashed and
 * written. Returns the digest, which the caller compares with the base
 * config's diff_id, or why the layer cannot be read.
 */
function copyBaseLayer(source, target, onBytes) {
    const hash = (0,external_node_crypto_namespaceObject.createHash)('sha256');
    let from;
    try {
        from = (0,external_node_fs_namespaceObject.openSync)(source.file, external_node_fs_namespaceObject.constants.O_RDONLY | external_node_fs_namespaceObject.constants.O_NOFOLLOW | external_node_fs_namespaceObject.constants.O_NONBLOCK);
    }
    catch (e) {
        return { bad: `its layer cannot be read (${errors_errnoCode(e) ?? messageOf(e)})` };
    }
    let to;
    try {
        const st = (0,external_node_fs_namespaceObject.fstatSync)(from);
        if (!st.isFile() || st.size < source.offset + target.size)
            return { bad: 'its layer changed after it was checked' };
        try {
            to = target.stream ?? (0,external_node_fs_namespaceObject.openSync)(target.file, 'r+');
        }
        catch (e) {
            return errors_asUserError(e, `cannot write ${target.label}`);
        }
        const buf = Buffer.allocUnsafe(CHUNK);
        let done = 0;
        while (done < target.size) {
            let n;
            try {
                n = (0,external_node_fs_namespaceObject.readSync)(from, buf, 0, Math.min(CHUNK, target.size - done), source.offset + done);
            }
            catch (e) {
                return { bad: `its layer cannot be read (${errors_errnoCode(e) ?? messageOf(e)})` };
            }
            if (n === 0)
                return { bad: `its layer ends after ${done} bytes` };
            const chunk = buf.subarray(0, n);
            hash.update(chunk);
            writeFully(to, target.label, chunk, target.stream === undefined ? target.offset + done : null);
            done += n;
            onBytes(n);
        }
        return { digest: `sha256:${hash.digest('hex')}` };
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(from);
        if (to !== undefined && target.stream === undefined)
            (0,external_node_fs_namespaceObject.closeSync)(to);
    }
}
function checkMeta(raw, expected) {
    if (raw === null || typeof raw !== 'object')
        return 'its metadata is missing or not an object';
    const m = raw;
    if (m['format'] !== BLOB_FORMAT_VERSION)
        return `its metadata has format ${String(m['format'])}, not ${BLOB_FORMAT_VERSION}`;
    if (m['key'] !== expected.key)
        return 'its metadata names another key';
    if (m['compression'] !== expected.compression || expected.compression === 'none')
        return `its metadata names another compression (${String(m['compression'])})`;
    const paths = m['paths'];
    if (!Array.isArray(paths) || paths.length !== expected.paths.length || paths.some((p, i) => p !== expected.paths[i])) {
        return 'its metadata names other store paths than the key was made from';
    }
    for (const n of ['size', 'blobSize']) {
        if (!Number.isSafeInteger(m[n]) || m[n] < 0)
            return `its metadata has no valid ${n}`;
    }
    let digest, diffId;
    try {
        digest = parseDigest(String(m['digest']));
        diffId = parseDigest(String(m['diffId']));
    }
    catch {
        return 'its metadata has no valid digest';
    }
    return { format: BLOB_FORMAT_VERSION, key: expected.key, compression: expected.compression, diffId, size: m['size'], digest, blobSize: m['blobSize'], paths: [...expected.paths] };
}
/**
 * The members a cached layer may hold: `/nix`, `/nix/store` and its store
 * paths' trees, each member under a directory seen before it (never under a
 * symlink, which a runtime would follow out of the store path), no name
 * twice, and every store path present.
 */
function memberCheck(paths) {
    const seen = new Map([['/', 'directory']]);
    const check = (header) => {
        const name = header.name.replace(/\/+$/, '');
        const kind = header.type;
        if (!name.startsWith('/') || name.split('/').some((c) => c === '..' || c === '.') || external_node_path_namespaceObject.posix.normalize(name) !== name) {
            return `it holds a member outside the store paths: ${header.name}`;
        }
        const store = name === '/nix' || name === '/nix/store';
        if (!store && !paths.some((p) => name === p || name.startsWith(`${p}/`)))
            return `it holds a member outside the store paths: ${header.name}`;
        if (store && kind !== 'directory')
            return `it holds a ${kind} at ${name}`;
        if (seen.has(name))
            return `it holds ${name} twice`;
        if (seen.get(external_node_path_namespaceObject.posix.dirname(name)) !== 'directory')
            return `it holds ${name} without its directory before it (or under a symlink)`;
        seen.set(name, kind);
        return undefined;
    };
    const missing = () => {
        const absent = paths.find((p) => !seen.has(p));
        return absent === undefined ? undefined : `it lacks ${absent}`;
    };
    return { check, missing };
}

;// CONCATENATED MODULE: ./lib/layer/names.js

/** A directory entry's name, refusing names that are not UTF-8 rather than mangling them. */
function utf8Name(raw, dir) {
    const name = raw.toString('utf8');
    if (!Buffer.from(name, 'utf8').equals(raw)) {
        throw new errors_UserError(`a file name in ${dir} is not valid UTF-8 (${raw.toString('hex')}); such names are not supported`);
    }
    return name;
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
                throw new errors_UserError(`${entry.name} shrank while it was being read`);
            this.fill += bytesRead;
            position += bytesRead;
            left -= bytesRead;
        }
        await this.put(Buffer.alloc(padding(entry.size)));
    }
    /** A file whose content arrives in chunks (from a NAR) rather than from a descriptor. */
    async entryFrom(entry, chunks) {
        await this.put(encodeHeader(entry, this.settings));
        let got = 0;
        for await (const chunk of chunks) {
            got += chunk.length;
            if (got > entry.size)
                throw new Error(`${entry.name} has more than its ${entry.size} bytes`);
            await this.put(chunk);
        }
        if (got !== entry.size)
            throw new Error(`${entry.name} has ${got} of its ${entry.size} bytes`);
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






const store_layer_TYPES = ['file', 'directory', 'symlink'];
// type (u8), mode (u32), size (f64), name and link lengths (u32 each)
const FIXED = 1 + 4 + 8 + 4 + 4;
function packMembers(members) {
    const entries = [...members.entries];
    const total = entries.reduce((n, e) => n + FIXED + Buffer.byteLength(e.name) + Buffer.byteLength(e.linkname), 0);
    const bytes = Buffer.from(new ArrayBuffer(total));
    let at = 0;
    for (const e of entries) {
        at = bytes.writeUInt8(store_layer_TYPES.indexOf(e.type), at);
        at = bytes.writeUInt32LE(e.mode, at);
        at = bytes.writeDoubleLE(e.size, at);
        const nameLength = bytes.write(e.name, at + 8, 'utf8');
        const linkLength = bytes.write(e.linkname, at + 8 + nameLength, 'utf8');
        bytes.writeUInt32LE(nameLength, at);
        bytes.writeUInt32LE(linkLength, at + 4);
        at += 8 + nameLength + linkLength;
    }
    return { root: members.root, bytes };
}
function unpackMembers(packed) {
    const bytes = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
    function* entries() {
        let at = 0;
        while (at < bytes.length) {
            const type = store_layer_TYPES[bytes.readUInt8(at)];
            const mode = bytes.readUInt32LE(at + 1);
            const size = bytes.readDoubleLE(at + 5);
            const nameLength = bytes.readUInt32LE(at + 13);
            const linkLength = bytes.readUInt32LE(at + 17);
            at += FIXED;
            const name = bytes.toString('utf8', at, at + nameLength);
            const linkname = bytes.toString('utf8', at + nameLength, at + nameLength + linkLength);
            at += nameLength + linkLength;
            yield { name, type, mode, size, linkname };
        }
    }
    return { root: packed.root, entries: { [Symbol.iterator]: entries } };
}
/**
 * The members of a store layer as nixpkgs' stream_layered_image.py writes
 * them: `/nix` and `/nix/store` first, then each path in the order given,
 * its tree in Python's `sorted(Path)` order (component by component), hard
 * links as plain files, modes from the store.
 */
function storeLayerMembers(paths) {
    const entries = storeLayerStart();
    const other = (p) => new errors_UserError(`${p} is neither a file, a directory nor a symlink; the Nix store holds no such thing`);
    for (const p of paths)
        walk(p, p, entries, other);
    return { root: '', entries };
}
/** The members every store layer starts with, as nixpkgs writes them: `/nix` and `/nix/store`. */
function storeLayerStart() {
    return ['/nix', '/nix/store'].map((name) => ({ name, type: 'directory', mode: 0o755, size: 0, linkname: '' }));
}
/** The members of one store path's tree, without the `/nix` and `/nix/store` a layer starts with. */
function storePathMembers(p) {
    const entries = [];
    walk(p, p, entries, (name) => new UserError(`${name} is neither a file, a directory nor a symlink; the Nix store holds no such thing`));
    return { root: '', entries };
}
/** The members of a directory's contents, named relative to it (the customisation layer). */
function directoryMembers(dir, other) {
    const entries = [];
    for (const name of sortedNames(dir))
        walk(path.join(dir, name), name, entries, other);
    return { root: dir, entries };
}
/** The exact number of bytes writeMembers gives. */
function membersSize(members, settings) {
    let size = 0;
    for (const entry of members.entries)
        size += headerSize(entry, settings) + Math.ceil(entry.size / BLOCK) * BLOCK;
    return size + endOfArchive(size).length;
}
/** Writes the members as one layer tar; each file is read once, as it is framed and hashed. */
async function writeMembers(members, settings, sink) {
    const tar = new TarWriter(sink, settings);
    await writeEntries(tar, members);
    return tar.finish();
}
/** Frames the members into `tar`, each file read once. */
async function writeEntries(tar, members) {
    for (const entry of members.entries) {
        if (entry.type !== 'file') {
            await tar.entry(entry);
            continue;
        }
        const file = members.root === '' ? entry.name : external_node_path_namespaceObject.join(members.root, entry.name);
        let fd;
        try {
            fd = (0,external_node_fs_namespaceObject.openSync)(file, 'r');
        }
        catch (e) {
            errors_asUserError(e, `cannot read ${file}`);
        }
        try {
            await tar.entry(entry, fd);
        }
        finally {
            (0,external_node_fs_namespaceObject.closeSync)(fd);
        }
    }
}
/** A store layer of these paths, walked and written. */
function writeStoreLayer(paths, settings, sink) {
    return writeMembers(storeLayerMembers(paths), settings, sink);
}
/** The exact size writeStoreLayer gives, from metadata alone. */
function storeLayerSize(paths, settings) {
    return membersSize(storeLayerMembers(paths), settings);
}
/** Appends `fsPath`'s tree, parents before children, as members named from `name`. */
function walk(fsPath, name, out, other) {
    let st;
    try {
        st = (0,external_node_fs_namespaceObject.lstatSync)(fsPath);
    }
    catch (e) {
        errors_asUserError(e, `cannot read ${fsPath}`);
    }
    if (st.isSymbolicLink()) {
        // Targets, like names, must be UTF-8: decoding would change them silently.
        out.push({ name, type: 'symlink', mode: st.mode, size: 0, linkname: utf8Name((0,external_node_fs_namespaceObject.readlinkSync)(fsPath, { encoding: 'buffer' }), fsPath) });
    }
    else if (st.isDirectory()) {
        out.push({ name, type: 'directory', mode: st.mode, size: 0, linkname: '' });
        for (const child of sortedNames(fsPath))
            walk(external_node_path_namespaceObject.join(fsPath, child), `${name}/${child}`, out, other);
    }
    else if (st.isFile()) {
        out.push({ name, type: 'file', mode: st.mode, size: st.size, linkname: '' });
    }
    else {
        throw other(name);
    }
}
/** Sorting the raw UTF-8 bytes gives Python's code-point order of names. */
function sortedNames(dir) {
    let raw;
    try {
        raw = (0,external_node_fs_namespaceObject.readdirSync)(dir, { encoding: 'buffer' });
    }
    catch (e) {
        errors_asUserError(e, `cannot read ${dir}`);
    }
    return raw.sort((a, b) => Buffer.compare(a, b)).map((b) => utf8Name(b, dir));
}

;// CONCATENATED MODULE: ./lib/layer/workers.js








const ROLE = 'layered-image-layer-writer';
/**
 * Store layers written, and base layers copied, straight into their place
 * in the image on worker threads, one layer per worker at a time: reading,
 * framing, SHA-256 and writing run on every core instead of one. The worker
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
    closed = false;
    constructor(count) {
        this.count = count;
    }
    /**
     * A store layer's members and exact size, from one walk of its trees: the
     * size places the layer in the image, and the members are handed to
     * `write`, which so never walks the trees again.
     */
    walk(paths, settings) {
        return this.run({ kind: 'walk', paths, settings }, () => { });
    }
    /** Writes a layer's members into its place. */
    write(job, onBytes) {
        // The members move to the worker: this thread's copy is gone after.
        return this.run({ kind: 'write', ...job }, onBytes, [job.members.bytes.buffer]);
    }
    /** Copies a base image's layer into its place, hashing it (see copyBaseLayer). */
    copy(job, onBytes) {
        return this.run({ kind: 'copy', ...job }, onBytes);
    }
    /** Reads a cached blob through and checks it against its metadata (see checkBlobBytes). */
    checkBlob(file, meta) {
        return this.run({ kind: 'check-blob', file, meta }, () => { });
    }
    /** Compresses a layer from its place into the file `out`. */
    compress(job, onBytes) {
        return this.run({ kind: 'compress', ...job }, onBytes);
    }
    async run(job, onBytes, transfer = []) {
        const worker = await this.acquire();
        const id = this.next++;
        let dead = false;
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
                    dead = true;
                    reject(e);
                };
                // A worker that dies without a word must not leave the build waiting.
                const onExit = (code) => {
                    done();
                    dead = true;
                    reject(new Error(`a layer worker exited (code ${code}) in the middle of a layer`));
                };
                worker.on('message', onMessage);
                worker.once('error', onError);
                worker.once('exit', onExit);
                worker.postMessage({ id, job }, transfer);
            });
        }
        finally {
            // A dead worker never goes back to the pool: the next job gets a new one.
            if (dead)
                this.retire(worker);
            else
                this.release(worker);
        }
    }
    /**
     * Ends every worker; jobs in flight fail, and no job starts after this,
     * so nothing (a queued compression, a retired worker's replacement) can
     * start a worker that this never saw.
     */
    async close() {
        this.closed = true;
        for (const wake of this.waiting.splice(0))
            wake();
        const all = this.all.splice(0);
        this.idle.length = 0;
        await Promise.all(all.map((w) => w.terminate()));
    }
    async acquire() {
        if (this.closed)
            throw new Error('the layer workers were closed: the build is ending');
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
        if (this.closed)
            return;
        this.idle.push(worker);
        this.waiting.shift()?.();
    }
    retire(worker) {
        const at = this.all.indexOf(worker);
        if (at >= 0)
            this.all.splice(at, 1);
        void worker.terminate();
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
        const progress = (n) => port.postMessage({ id, progress: n });
        runJob(job, progress).then((result) => port.postMessage({ id, result }, transferable(result)), (e) => port.postMessage({ id, error: e instanceof errors_UserError ? e.marked : messageOf(e), user: e instanceof errors_UserError }));
    });
}
/** A walk's packed members move to the main thread rather than being copied. */
function transferable(result) {
    const bytes = result?.members?.bytes;
    return bytes === undefined ? [] : [bytes.buffer];
}
async function runJob(job, progress) {
    switch (job.kind) {
        case 'walk': {
            const members = storeLayerMembers(job.paths);
            return { members: packMembers(members), size: membersSize(members, job.settings) };
        }
        case 'copy':
            return copyBaseLayer(job.source, job.target, progress);
        case 'check-blob':
            return checkBlobBytes(job.file, job.meta);
        case 'compress':
            return compressRange(job.source, job.compression, job.out, progress);
        case 'write': {
            const sink = RangeSink.open(job.target);
            try {
                const counted = {
                    write: (chunk) => {
                        progress(chunk.length);
                        return sink.write(chunk);
                    },
                    close: () => sink.close(),
                };
                const written = await writeMembers(unpackMembers(job.members), job.settings, counted);
                if (written.size !== job.target.size) {
                    throw new errors_UserError(`a layer came out at ${written.size} bytes, not the ${job.target.size} planned: its store paths changed while it was being written`);
                }
                return written;
            }
            finally {
                await sink.close();
            }
        }
    }
}

var __webpack_exports__LayerWorkers = __webpack_exports__.$;
var __webpack_exports__isLayerWorkerThread = __webpack_exports__._;
export { __webpack_exports__LayerWorkers as LayerWorkers, __webpack_exports__isLayerWorkerThread as isLayerWorkerThread };
