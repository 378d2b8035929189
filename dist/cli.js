#!/usr/bin/env node
import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 6982:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 2203:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("stream");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 2018:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tty");

/***/ }),

/***/ 7016:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("url");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 5289:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  j: () => (/* binding */ build),
  W: () => (/* binding */ explain)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./lib/digest.js
var digest = __nccwpck_require__(8463);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __nccwpck_require__(452);
;// CONCATENATED MODULE: ./lib/image/config.js

/**
 * The image configuration JSON. Keys are sorted at every level, so equal
 * configs give equal bytes whatever order the user wrote them in.
 */
function imageConfigJson(input) {
    const doc = {
        architecture: input.architecture,
        config: input.config,
        created: input.created,
        history: [
            ...(input.base?.history ?? []),
            ...input.layers.slice(input.base?.layers ?? 0).map((l) => ({ created: input.created, comment: l.comment })),
        ],
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: input.layers.map((l) => l.digest) },
    };
    return Buffer.from(canonicalJson(doc), 'utf8');
}
/**
 * The config of an image built on a base, as Docker's FROM gives it: the
 * base's fields, ours over them (a field we set replaces the base's, and
 * an Entrypoint of ours drops the base's Cmd); Labels, ExposedPorts and
 * Volumes are merged per key, ours winning; Env is merged per variable: the
 * base's variables in their order, a value of ours replacing the base's,
 * then ours that the base did not have.
 */
function mergeBaseConfig(base, ours) {
    const merged = { ...base, ...ours };
    // As Docker does: a new Entrypoint drops the base's Cmd, written for the old one.
    if (Object.hasOwn(ours, 'Entrypoint') && !Object.hasOwn(ours, 'Cmd'))
        delete merged['Cmd'];
    // LABEL, EXPOSE and VOLUME add to what the base has.
    for (const key of ['Labels', 'ExposedPorts', 'Volumes']) {
        const [b, o] = [base[key], ours[key]];
        if (isRecord(b) && isRecord(o))
            merged[key] = { ...b, ...o };
    }
    const baseEnv = Array.isArray(base['Env']) ? base['Env'].filter((e) => typeof e === 'string') : [];
    const ourEnv = Array.isArray(ours['Env']) ? ours['Env'] : [];
    if (baseEnv.length === 0 && ourEnv.length === 0)
        return merged;
    const nameOf = (e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
    const mine = new Map(ourEnv.map((e) => [nameOf(e), e]));
    const fromBase = baseEnv.map((e) => mine.get(nameOf(e)) ?? e);
    const baseNames = new Set(baseEnv.map(nameOf));
    merged['Env'] = [...fromBase, ...ourEnv.filter((e) => !baseNames.has(nameOf(e)))];
    return merged;
}
function isRecord(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}
/** The image id: the digest of the config bytes. */
function configDigest(configJson) {
    return (0,digest/* sha256Digest */.sI)(configJson);
}
/** `manifest.json` of a docker-archive (Docker image spec v1.2). */
function dockerManifestJson(configFile, repoTag, layerFiles) {
    return Buffer.from(JSON.stringify([{ Config: configFile, RepoTags: [repoTag], Layers: layerFiles }]), 'utf8');
}
function canonicalJson(value) {
    return JSON.stringify(sortKeys(value));
}
function sortKeys(value) {
    if (Array.isArray(value))
        return value.map(sortKeys);
    if (value !== null && typeof value === 'object') {
        const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
    }
    return value;
}
/** Python-style list text, as nixpkgs writes `store paths: ['…']` in history. */
function pathsComment(prefix, paths) {
    return `${prefix}: [${paths.map((p) => `'${p}'`).join(', ')}]`;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: ./lib/layer/sink.js
var layer_sink = __nccwpck_require__(2814);
// EXTERNAL MODULE: ./lib/layer/tar-header.js
var tar_header = __nccwpck_require__(3198);
;// CONCATENATED MODULE: ./lib/image/docker-archive.js






// Fixed metadata for the archive's own members: nothing here may depend on
// the machine, the clock or the umask.
const MEMBER = { mtime: 1, uid: 0, gid: 0, uname: '', gname: '' };
/*
 * A docker-archive (what `docker save` makes and `docker load`, `podman load`
 * and `skopeo copy docker-archive:` read): each layer as
 * `<diff_id hex>/layer.tar`, then the config, then `manifest.json`, as
 * nixpkgs' stream_layered_image.py orders them.
 *
 * It is written out of order. A layer member's header has the same length
 * whatever its digest (the name is always 74 characters; only a size of
 * 8 GiB or more adds a PAX record), so once the layers' sizes are known
 * every layer has a fixed place: the layer workers write (or copy) each
 * layer straight into it, in parallel, and the headers, which name the
 * digests, are filled in last. No layer is written twice.
 */
const LAYER_MEMBER_NAME = `${'0'.repeat(64)}/layer.tar`;
function member(name, size) {
    return { name, type: 'file', mode: 0o644, size, linkname: '' };
}
/** Bytes of a layer member's header: one block below 8 GiB. */
function layerHeaderSize(size) {
    return (0,tar_header/* headerSize */.pw)(member(LAYER_MEMBER_NAME, size), MEMBER);
}
/** The largest layer whose place can be known before its size: the last one's. */
const MAX_LAST_LAYER = 8 ** 11 - 1;
/**
 * Where each layer's bytes start, for layers of these sizes in image order
 * laid out from byte `from` (where the first one's header goes), and `end`,
 * where the member after them puts its header.
 */
function layerPlaces(sizes, from = 0) {
    const offsets = [];
    let at = from;
    for (const size of sizes) {
        offsets.push(at + layerHeaderSize(size));
        at += layerHeaderSize(size) + size + (0,tar_header/* padding */.Ms)(size);
    }
    return { offsets, end: at };
}
/**
 * Completes an archive whose layer bytes are in place: the layer members'
 * headers, the config, the manifest and the end of the archive.
 */
function finishDockerArchive(file, image, label = file) {
    let fd;
    try {
        fd = (0,external_node_fs_.openSync)(file, 'r+');
    }
    catch (e) {
        return (0,errors/* asUserError */.Yl)(e, `cannot write ${label}`);
    }
    try {
        const { offsets, end: layersEnd } = layerPlaces(image.layers.map((l) => l.size));
        const put = (bytes, at) => (0,layer_sink/* writeFully */.KM)(fd, label, bytes, at);
        // A header ends where its member's bytes start.
        const header = (name, size, at) => {
            const bytes = (0,tar_header/* encodeHeader */.YS)(member(name, size), MEMBER);
            put(bytes, at - bytes.length);
        };
        const layerFiles = image.layers.map((layer, i) => {
            const name = `${(0,digest/* digestHex */.sU)(layer.digest)}/layer.tar`;
            const at = offsets[i];
            header(name, layer.size, at);
            put(Buffer.alloc((0,tar_header/* padding */.Ms)(layer.size)), at + layer.size);
            return name;
        });
        const configName = `${(0,digest/* digestHex */.sU)(configDigest(image.configJson))}.json`;
        const manifest = dockerManifestJson(configName, image.repoTag, layerFiles);
        let at = layersEnd + tar_header/* BLOCK */.IE;
        for (const [name, bytes] of [[configName, image.configJson], ['manifest.json', manifest]]) {
            header(name, bytes.length, at);
            put(Buffer.concat([bytes, Buffer.alloc((0,tar_header/* padding */.Ms)(bytes.length))]), at);
            at += bytes.length + (0,tar_header/* padding */.Ms)(bytes.length) + tar_header/* BLOCK */.IE;
        }
        const end = at - tar_header/* BLOCK */.IE;
        const trailer = (0,tar_header/* endOfArchive */.PG)(end);
        put(trailer, end);
        // Layers placed again in smaller places leave bytes past the new end.
        (0,external_node_fs_.ftruncateSync)(fd, end + trailer.length);
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}

;// CONCATENATED MODULE: ./lib/cache/directory.js





const LAYER = 'layer.tar';
const META = 'meta.json';
/**
 * A cache in a local directory, the CLI's default: one folder per key with
 * the layer tar and its metadata beside it, so a layer's digest can be read
 * without reading the layer. Entries appear whole or not at all (written
 * into a scratch folder, then renamed).
 */
class DirectoryCache {
    dir;
    warn;
    description;
    constructor(dir, warn) {
        this.dir = dir;
        this.warn = warn;
        this.description = `directory ${dir}`;
    }
    async restore(key) {
        const entry = external_node_path_.join(this.dir, key);
        let text;
        try {
            text = await readMeta(external_node_path_.join(entry, META));
        }
        catch (e) {
            if ((0,errors/* errnoCode */.UK)(e) !== 'ENOENT' && (0,errors/* errnoCode */.UK)(e) !== 'ENOTDIR')
                this.warn(`cannot read the cache in ${this.dir}: ${(0,errors/* errnoCode */.UK)(e) ?? (0,errors/* messageOf */.bD)(e)}`);
            return undefined;
        }
        let meta;
        try {
            meta = JSON.parse(text);
        }
        catch {
            meta = undefined; // reported by verification as missing metadata
        }
        return { meta, file: external_node_path_.join(entry, LAYER) };
    }
    async save(key, layerFile, meta) {
        const entry = external_node_path_.join(this.dir, key);
        const scratch = external_node_path_.join(this.dir, `.tmp-${key}-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`);
        try {
            await (0,promises_.mkdir)(this.dir, { recursive: true });
            if (!(await (0,promises_.stat)(this.dir)).isDirectory())
                throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
            // Not recursive: that form reports a read-only file system as ENOENT.
            await (0,promises_.mkdir)(scratch);
            // A hard link where the file system allows (the build only removes
            // its own name for the file), else a copy: never a symlink.
            const dest = external_node_path_.join(scratch, LAYER);
            await (0,promises_.link)(layerFile, dest).catch(() => (0,promises_.copyFile)(layerFile, dest, external_node_fs_.constants.COPYFILE_FICLONE));
            await (0,promises_.writeFile)(external_node_path_.join(scratch, META), `${JSON.stringify(meta)}\n`);
        }
        catch (e) {
            this.warn(`cannot save to ${this.dir}: ${(0,errors/* errnoCode */.UK)(e) ?? (0,errors/* messageOf */.bD)(e)}`);
            await (0,promises_.rm)(scratch, { recursive: true, force: true }).catch(() => { });
            return false;
        }
        try {
            // Never remove an entry here: another build may be reading it. A bad
            // one was removed by discard(); a good one makes the rename fail, and
            // then the same (deterministic) entry is there already.
            await (0,promises_.rename)(scratch, entry);
            return true;
        }
        catch (e) {
            const code = (0,errors/* errnoCode */.UK)(e);
            if (code !== 'ENOTEMPTY' && code !== 'EEXIST')
                this.warn(`cannot save to ${this.dir}: ${code ?? (0,errors/* messageOf */.bD)(e)}`);
            return code === 'ENOTEMPTY' || code === 'EEXIST';
        }
        finally {
            await (0,promises_.rm)(scratch, { recursive: true, force: true }).catch(() => { });
        }
    }
    async discard(key) {
        await (0,promises_.rm)(external_node_path_.join(this.dir, key), { recursive: true, force: true }).catch(() => { });
        return true;
    }
}
const MAX_META_BYTES = 1 << 20;
/** The metadata record, refusing anything but a small regular file (never following a link or waiting on a FIFO). */
async function readMeta(file) {
    let fh;
    try {
        fh = await (0,promises_.open)(file, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NOFOLLOW | external_node_fs_.constants.O_NONBLOCK);
    }
    catch (e) {
        // A link where the metadata should be: a bad entry, to be replaced.
        if ((0,errors/* errnoCode */.UK)(e) === 'ELOOP')
            return 'null';
        throw e;
    }
    try {
        const st = await fh.stat();
        if (!st.isFile() || st.size > MAX_META_BYTES)
            return 'null';
        const buf = Buffer.alloc(st.size);
        const { bytesRead } = await fh.read(buf, 0, st.size, 0);
        return buf.toString('utf8', 0, bytesRead);
    }
    finally {
        await fh.close();
    }
}

// EXTERNAL MODULE: ./lib/log.js
var lib_log = __nccwpck_require__(7309);
;// CONCATENATED MODULE: ./lib/util/pool.js
/**
 * Runs `task` over `items` with at most `limit` in flight and returns the
 * results in the order of `items`. The first failure rejects the whole run
 * once the tasks already started have settled, so no work is left behind.
 */
async function mapLimit(items, limit, task) {
    const results = new Array(items.length);
    let next = 0;
    let failure;
    const worker = async () => {
        while (failure === undefined && next < items.length) {
            const i = next++;
            try {
                results[i] = await task(items[i], i);
            }
            catch (error) {
                failure ??= { error };
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    if (failure !== undefined)
        throw failure.error;
    return results;
}

;// CONCATENATED MODULE: ./lib/util/rate-limit.js
const realClock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
/**
 * At most `count` starts in any window of `windowMs`: the Actions cache
 * accepts about 200 new entries per minute per repository.
 */
class RateLimit {
    count;
    windowMs;
    clock;
    starts = [];
    constructor(count, windowMs, clock = realClock) {
        this.count = count;
        this.windowMs = windowMs;
        this.clock = clock;
    }
    async acquire() {
        for (;;) {
            const now = this.clock.now();
            while (this.starts.length > 0 && now - this.starts[0] >= this.windowMs)
                this.starts.shift();
            if (this.starts.length < this.count) {
                this.starts.push(now);
                return;
            }
            await this.clock.sleep(this.starts[0] + this.windowMs - now);
        }
    }
}

// EXTERNAL MODULE: ./lib/cache/key.js
var key = __nccwpck_require__(2009);
// EXTERNAL MODULE: ./lib/cache/verify.js + 1 modules
var verify = __nccwpck_require__(2862);
;// CONCATENATED MODULE: ./lib/cache/layers.js









// Cache calls are mostly waiting on the network; more of them than cores.
const CACHE_CONCURRENCY = 8;
const SAVES_PER_MINUTE = new RateLimit(200, 60_000);
/** Looks up every layer's key and keeps the entries whose metadata fits. */
async function lookupStoreLayers(plan, settings, cache, log) {
    const planned = plan.map((paths, index) => ({ index, paths, key: (0,key/* layerCacheKey */.L)(paths, settings), saveable: true }));
    if (cache === undefined)
        return planned;
    const found = await mapLimit(planned, CACHE_CONCURRENCY, async (layer) => {
        const entry = await cache.restore(layer.key);
        if (entry === undefined)
            return layer;
        const verdict = await (0,verify/* checkCachedLayer */.O)(entry, layer);
        if (!verdict.ok)
            return { ...layer, saveable: await notUsed(layer, verdict.reason, cache, log) };
        return { ...layer, saveable: false, cached: { file: entry.file, meta: verdict.meta } };
    });
    const hits = found.filter((l) => l.cached !== undefined);
    const bytes = hits.reduce((n, l) => n + (l.cached?.meta.size ?? 0), 0);
    log.info(`${hits.length} of ${plan.length} store layers found in the ${cache.description} (${(0,lib_log/* formatBytes */.z3)(bytes)})`);
    return found;
}
/**
 * Puts every store layer into its place in the image file `output`, in
 * parallel on the layer workers, largest first so that no big layer starts
 * last while the other core idles: cached layers are copied (and checked on
 * the way), the others built. A cached layer that fails its check is built
 * in its place; should it come out another size, every layer is placed and
 * written again. Built layers that the cache should get are also written
 * to `work`, for saveNewLayers.
 */
async function writeStoreLayers(planned, opts) {
    const { log, workers } = opts;
    const missing = planned.filter((l) => l.cached === undefined);
    const sizes = planned.map((l) => l.cached?.meta.size ?? 0);
    // Each walk's members go to its write, once: held only until then.
    const walked = new Map();
    const walk = async (l) => {
        const { members, size } = await workers.walk(l.paths, opts.settings);
        walked.set(l.index, members);
        return size;
    };
    await mapLimit(missing, opts.concurrency, async (l) => {
        sizes[l.index] = await walk(l);
    });
    log.info(`${missing.length} store layers to build (${(0,lib_log/* formatBytes */.z3)(missing.reduce((n, l) => n + sizes[l.index], 0))})`);
    for (;;) {
        const { offsets } = layerPlaces(sizes, opts.from);
        const layers = new Array(planned.length);
        const moved = [];
        const progress = new lib_log/* Progress */.ke(log, 'written', sizes.reduce((a, b) => a + b, 0));
        const order = [...planned].sort((a, b) => sizes[b.index] - sizes[a.index] || a.index - b.index);
        try {
            await mapLimit(order, opts.concurrency, async (layer) => {
                const target = { ...opts.output, offset: offsets[layer.index], size: sizes[layer.index] };
                const onBytes = (n) => progress.add(n);
                const comment = pathsComment('store paths', layer.paths);
                if (layer.cached !== undefined) {
                    const { meta, file } = layer.cached;
                    const copied = await workers.copy({ source: { file, offset: 0, paths: layer.paths }, target }, onBytes);
                    const bad = 'bad' in copied ? copied.bad : copied.digest !== meta.digest ? `its layer hashes to ${copied.digest}, its metadata says ${meta.digest}` : undefined;
                    if (bad === undefined) {
                        layers[layer.index] = { digest: meta.digest, size: meta.size, paths: layer.paths, source: 'restored', comment };
                        return;
                    }
                    layer.cached = undefined;
                    layer.saveable = await notUsed(layer, bad, opts.cache, log);
                    const size = await walk(layer);
                    if (size !== target.size) {
                        sizes[layer.index] = size;
                        moved.push(layer);
                        return;
                    }
                }
                const copyTo = opts.cache !== undefined && layer.saveable ? layerFile(opts.work, layer) : undefined;
                const members = walked.get(layer.index) ?? (await workers.walk(layer.paths, opts.settings)).members;
                walked.delete(layer.index);
                const { digest, size } = await workers.write({ members, settings: opts.settings, target, copyTo }, onBytes);
                log.info(`layer ${layer.index + 1}: ${digest} ${(0,lib_log/* formatBytes */.z3)(size)}, ${layer.paths.length} store path(s)`);
                layers[layer.index] = { digest, size, paths: layer.paths, source: 'built', comment };
            });
        }
        finally {
            progress.end();
        }
        if (moved.length === 0)
            return layers;
        log.info(`${moved.length} store layer(s) rebuilt at another size than the cache said; writing the layers again in their new places`);
    }
}
/** Copies a base image's layers into their places, each checked against its diff_id. */
async function copyBaseLayers(base, opts) {
    const { offsets } = layerPlaces(base.layers.map((l) => l.size));
    return Promise.all(base.layers.map(async (layer, i) => {
        const target = { ...opts.output, offset: offsets[i], size: layer.size };
        const copied = await opts.workers.copy({ source: { file: base.file, offset: layer.offset, paths: undefined }, target }, opts.onBytes);
        if ('bad' in copied)
            throw new errors/* UserError */.yo(`fromImage ${base.file}: layer ${layer.member} ${copied.bad.replace(/^its layer /, '')}`);
        if (copied.digest !== layer.diffId) {
            throw new errors/* UserError */.yo(`fromImage ${base.file}: layer ${layer.member} hashes to ${copied.digest}, not the diff_id ${layer.diffId} its config gives`);
        }
        return { digest: layer.diffId, size: layer.size, paths: [], source: 'base', comment: `base image ${external_node_path_.basename(base.file)}, layer ${i + 1}` };
    }));
}
/** Warns that a cache entry was refused; returns whether a new one may be saved. */
async function notUsed(layer, reason, cache, log) {
    const what = layer.paths.length === 1 ? layer.paths[0] : `${layer.paths.length} store paths`;
    log.warning(`cached layer ${layer.index + 1} (${what}) was not used: ${reason}; building it instead`);
    return cache === undefined ? false : cache.discard(layer.key);
}
/**
 * Saves the layers built now whose keys the cache did not have, throttled
 * to the Actions cache's rate limit. Resolves to the number saved.
 */
function saveNewLayers(planned, layers, cache, work) {
    if (cache === undefined)
        return Promise.resolve(0);
    const toSave = planned.filter((l) => layers[l.index]?.source === 'built' && l.saveable);
    return mapLimit(toSave, CACHE_CONCURRENCY, async (l) => {
        await SAVES_PER_MINUTE.acquire();
        const layer = layers[l.index];
        const meta = { format: key/* LAYER_FORMAT_VERSION */.d, key: l.key, digest: layer.digest, size: layer.size, paths: [...l.paths] };
        return cache.save(l.key, layerFile(work, l), meta);
    }).then((saved) => saved.filter(Boolean).length);
}
function layerFile(work, layer) {
    return external_node_path_.join(work, `store-${layer.index}.tar`);
}

;// CONCATENATED MODULE: ./lib/image/base-image.js





/**
 * Reads a docker-archive (`docker save`, `skopeo copy … docker-archive:`,
 * nixpkgs' image tarballs, ours) for use as a base: its manifest, config and
 * where each layer's bytes are. Layers stay in the tarball and are copied
 * from there, and checked against their diff_ids, as the image is written.
 * Layers must be uncompressed tar, as the Docker archive format has them.
 */
function readBaseImage(file) {
    const what = `fromImage ${file}`;
    let fd;
    try {
        fd = (0,external_node_fs_.openSync)(file, 'r');
    }
    catch (e) {
        throw new errors/* UserError */.yo(`${what} cannot be read: ${(0,errors/* errnoCode */.UK)(e) ?? (0,errors/* messageOf */.bD)(e)}`);
    }
    try {
        if (!(0,external_node_fs_.fstatSync)(fd).isFile())
            throw new errors/* UserError */.yo(`${what} is not a file`);
        const members = indexTar(fd, (0,external_node_fs_.fstatSync)(fd).size, what);
        const manifestText = readMember(fd, members, 'manifest.json', what, 1 << 20);
        if (manifestText === undefined)
            throw new errors/* UserError */.yo(`${what} has no manifest.json: it is not a docker-archive`);
        const manifest = parseJson(manifestText, `${what}: manifest.json`);
        if (!Array.isArray(manifest) || manifest.length !== 1) {
            throw new errors/* UserError */.yo(`${what}: manifest.json must describe exactly one image, it describes ${Array.isArray(manifest) ? manifest.length : 'none'}`);
        }
        const entry = manifest[0];
        if (typeof entry.Config !== 'string' || !Array.isArray(entry.Layers) || entry.Layers.some((l) => typeof l !== 'string')) {
            throw new errors/* UserError */.yo(`${what}: manifest.json has no Config and Layers`);
        }
        const configText = readMember(fd, members, entry.Config, what, 16 << 20);
        if (configText === undefined)
            throw new errors/* UserError */.yo(`${what}: its config ${entry.Config} is missing`);
        const config = parseJson(configText, `${what}: config`);
        const rootfs = config['rootfs'];
        const diffIds = Array.isArray(rootfs?.diff_ids) ? rootfs.diff_ids : undefined;
        const names = entry.Layers;
        if (diffIds === undefined || diffIds.length !== names.length) {
            throw new errors/* UserError */.yo(`${what}: its config lists ${diffIds?.length ?? 'no'} diff_ids for ${names.length} layers`);
        }
        const layers = names.map((name, i) => {
            const m = resolve(members, name);
            if (m === undefined)
                throw new errors/* UserError */.yo(`${what}: layer ${name} named in manifest.json is missing`);
            let diffId;
            try {
                diffId = (0,digest/* parseDigest */.m)(String(diffIds[i]));
            }
            catch {
                throw new errors/* UserError */.yo(`${what}: diff_id ${i + 1} is not a sha256 digest`);
            }
            if (isGzip(fd, m.offset, m.size, what))
                throw new errors/* UserError */.yo(`${what}: layer ${name} is compressed; docker-archive layers are plain tar (re-save it with docker save or skopeo copy)`);
            return { offset: m.offset, size: m.size, diffId, member: name };
        });
        const inner = config['config'];
        const history = Array.isArray(config['history']) ? config['history'] : [];
        return {
            file,
            layers,
            architecture: typeof config['architecture'] === 'string' ? config['architecture'] : undefined,
            config: inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? inner : {},
            history,
            storePaths: storePathsIn(fd, layers, what),
        };
    }
    finally {
        (0,external_node_fs_.closeSync)(fd);
    }
}
/** Every member of the outer tarball, by normalised name. */
function indexTar(fd, size, what) {
    const members = new Map();
    const block = Buffer.alloc(tar_header/* BLOCK */.IE);
    let pos = 0;
    let ext = {};
    while (pos + tar_header/* BLOCK */.IE <= size) {
        readAt(fd, block, pos, what);
        if (block.equals(tar_header/* ZERO_BLOCK */.tU))
            return members;
        const header = parseHeader(block);
        if (header === undefined)
            throw new errors/* UserError */.yo(`${what} is not a tar archive (bad header at byte ${pos})`);
        const data = pos + tar_header/* BLOCK */.IE;
        const memberSize = ext.size ?? header.size;
        if (data + memberSize > size)
            throw new errors/* UserError */.yo(`${what} is cut short: a member runs past its end`);
        if (isExtension(header.type)) {
            ext = extend(ext, header.type, readExtension(fd, data, header.size, what));
        }
        else {
            const name = normalise(ext.path ?? header.name);
            const type = header.type === '0' || header.type === '\0' ? 'file' : header.type === '1' || header.type === '2' ? 'link' : 'other';
            const target = ext.linkpath ?? header.linkname;
            // Hard link targets are archive paths; relative symlink targets are
            // relative to the member's directory.
            const resolved = header.type === '2' && !target.startsWith('/') ? normalise(external_node_path_.posix.join(external_node_path_.posix.dirname(name), target)) : normalise(target);
            members.set(name, { offset: data, size: memberSize, type, target: resolved });
            ext = {};
        }
        pos = data + Math.ceil((isExtension(header.type) ? header.size : memberSize) / tar_header/* BLOCK */.IE) * tar_header/* BLOCK */.IE;
    }
    throw new errors/* UserError */.yo(`${what} is not a tar archive, or is cut short`);
}
function resolve(members, name) {
    let m = members.get(normalise(name));
    for (let hops = 0; m?.type === 'link' && hops < 8; hops++)
        m = members.get(m.target);
    return m?.type === 'file' ? m : undefined;
}
function readMember(fd, members, name, what, limit) {
    const m = resolve(members, name);
    if (m === undefined)
        return undefined;
    if (m.size > limit)
        throw new errors/* UserError */.yo(`${what}: ${name} is too large (${m.size} bytes)`);
    return readString(fd, m.offset, m.size, what);
}
/**
 * The store paths the base image's file system holds: `/nix/store/<name>`
 * members of its layers, lowest first, with whiteouts in higher layers
 * taking away what lower ones had.
 */
function storePathsIn(fd, layers, what) {
    const found = new Set();
    const block = Buffer.alloc(tar_header/* BLOCK */.IE);
    for (const layer of layers) {
        const inLayer = new Set();
        const removed = new Set();
        let opaque = false;
        let pos = layer.offset;
        const end = layer.offset + layer.size;
        let ext = {};
        while (pos + tar_header/* BLOCK */.IE <= end) {
            readAt(fd, block, pos, what);
            if (block.equals(tar_header/* ZERO_BLOCK */.tU))
                break;
            const header = parseHeader(block);
            if (header === undefined)
                throw new errors/* UserError */.yo(`${what}: layer ${layer.member} is not a tar archive`);
            const data = pos + tar_header/* BLOCK */.IE;
            if (isExtension(header.type)) {
                ext = extend(ext, header.type, readExtension(fd, data, header.size, what));
                pos = data + Math.ceil(header.size / tar_header/* BLOCK */.IE) * tar_header/* BLOCK */.IE;
                continue;
            }
            const m = /^nix\/store\/([^/]+)/.exec(normalise(ext.path ?? header.name));
            const name = m?.[1];
            if (name === '.wh..wh..opq')
                opaque = true;
            else if (name?.startsWith('.wh.'))
                removed.add(`/nix/store/${name.slice(4)}`);
            else if (name !== undefined)
                inLayer.add(`/nix/store/${name}`);
            pos = data + Math.ceil((ext.size ?? header.size) / tar_header/* BLOCK */.IE) * tar_header/* BLOCK */.IE;
            ext = {};
        }
        if (opaque)
            found.clear();
        for (const p of removed)
            found.delete(p);
        for (const p of inLayer)
            found.add(p);
    }
    return found;
}
function isExtension(type) {
    return type === 'x' || type === 'L' || type === 'K' || type === 'g';
}
function extend(ext, type, text) {
    if (type === 'L')
        return { ...ext, path: text.replace(/\0+$/, '') };
    if (type === 'K')
        return { ...ext, linkpath: text.replace(/\0+$/, '') };
    if (type === 'g')
        return ext; // global headers: nothing we use
    const pax = parsePax(text);
    const size = pax.get('size');
    return {
        ...ext,
        ...(pax.has('path') ? { path: pax.get('path') } : {}),
        ...(pax.has('linkpath') ? { linkpath: pax.get('linkpath') } : {}),
        ...(size !== undefined && /^[0-9]+$/.test(size) && Number.isSafeInteger(Number(size)) ? { size: Number(size) } : {}),
    };
}
const MAX_EXTENSION = 1 << 20;
function readExtension(fd, offset, size, what) {
    if (size > MAX_EXTENSION)
        throw new errors/* UserError */.yo(`${what} has an extended tar header of ${size} bytes; it is not a docker-archive`);
    return readString(fd, offset, size, what);
}
function parseHeader(b) {
    if (!(0,tar_header/* checksumMatches */.XK)(b))
        return undefined;
    const field = (offset, length) => (0,tar_header/* readText */.yR)(b, offset, length);
    let name = field(0, 100);
    // ustar's prefix field (docker save writes plain ustar names).
    if (b.toString('latin1', 257, 263) === 'ustar\0') {
        const prefix = field(345, 155);
        if (prefix !== '')
            name = `${prefix}/${name}`;
    }
    const sizeField = b.subarray(124, 136);
    // GNU base-256 sizes for members of 8 GiB and more.
    const blank = /^[\0 ]*$/.test(sizeField.toString('latin1'));
    const size = sizeField[0] & 0x80 ? Number(sizeField.readBigUInt64BE(4)) : blank ? 0 : (0,tar_header/* readOctal */.C8)(b, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0)
        return undefined;
    return { name, type: String.fromCharCode(b[156]), size, linkname: field(157, 100) };
}
function parsePax(text) {
    const out = new Map();
    for (const line of text.split('\n')) {
        const m = /^\d+ ([^=]+)=(.*)$/s.exec(line);
        if (m !== null)
            out.set(m[1], m[2]);
    }
    return out;
}
function normalise(name) {
    return external_node_path_.posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
}
function isGzip(fd, offset, size, what) {
    if (size < 2)
        return false;
    const magic = Buffer.alloc(2);
    readAt(fd, magic, offset, what);
    return magic[0] === 0x1f && magic[1] === 0x8b;
}
function readString(fd, offset, size, what) {
    const buf = Buffer.alloc(size);
    readAt(fd, buf, offset, what);
    return buf.toString('utf8');
}
function readAt(fd, buf, position, what) {
    let done = 0;
    while (done < buf.length) {
        const n = (0,external_node_fs_.readSync)(fd, buf, done, buf.length - done, position + done);
        if (n === 0)
            throw new errors/* UserError */.yo(`${what} ends unexpectedly`);
        done += n;
    }
}
function parseJson(text, what) {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        throw new errors/* UserError */.yo(`${what} is not valid JSON`);
    }
    // The config is copied (and its keys sorted) recursively: no deep nesting.
    if (depth(value) > 64)
        throw new errors/* UserError */.yo(`${what} is nested more than 64 levels deep`);
    return value;
}
function depth(value) {
    let deepest = 0;
    const stack = [[value, 1]];
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
        const [v, d] = item;
        deepest = Math.max(deepest, d);
        if (deepest > 64)
            return deepest;
        if (v !== null && typeof v === 'object')
            for (const child of Object.values(v))
                stack.push([child, d + 1]);
    }
    return deepest;
}

// EXTERNAL MODULE: ./lib/layer/workers.js
var layer_workers = __nccwpck_require__(7554);
;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: ./lib/layer/store-layer.js + 1 modules
var store_layer = __nccwpck_require__(6997);
;// CONCATENATED MODULE: ./lib/layer/custom-dir.js






/*
 * The customisation layer as a real directory, for what needs one: a user's
 * extraCommands and the Nix database. It holds the merged contents (as
 * symlinks), then the database, then whatever the script made, and is packed
 * the way the in-memory tree is: names sorted by bytes, directories we make
 * 0755, the script's files with the modes it gave them under umask 022, and
 * every owner and time from the layer settings, never from the disk.
 */
/**
 * A new directory holding the merged tree, 0755 whatever the umask (and
 * without a setgid bit inherited from where it was made).
 */
async function customisationDir(tree, scratch) {
    const dir = await (0,promises_.mkdtemp)(external_node_path_.join(scratch, 'root-'));
    try {
        await (0,promises_.chmod)(dir, 0o755);
        await materialise(tree, dir);
    }
    catch (e) {
        (0,errors/* asUserError */.Yl)(e, `cannot make the customisation layer in ${scratch}`);
    }
    return dir;
}
/** Creates the merged tree (directories and symlinks) under `dir`. */
async function materialise(node, dir) {
    for (const [name, child] of [...node.children].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
        const at = external_node_path_.join(dir, name);
        if (child.kind === 'dir') {
            await (0,promises_.mkdir)(at);
            await (0,promises_.chmod)(at, 0o755); // whatever the umask
            await materialise(child, at);
        }
        else {
            await (0,promises_.symlink)(child.target, at);
        }
    }
}
/**
 * Registers `paths` (a closure) in a Nix database at `dir/nix/var/nix/db`,
 * as nixpkgs' includeNixDB does, with every registration time set to
 * `mtime` so the layer stays reproducible, and the contents as GC roots.
 */
async function addNixDb(dir, paths, contents, mtime) {
    // The contents may have put a link where the database goes: never write through it.
    for (const d of ['nix', 'nix/var', 'nix/var/nix', 'nix/var/nix/db', 'nix/var/nix/gcroots', 'nix/var/nix/gcroots/docker']) {
        const st = await (0,promises_.lstat)(external_node_path_.join(dir, d)).catch(() => undefined);
        if (st !== undefined && !st.isDirectory())
            throw new errors/* UserError */.yo(`includeNixDB: the contents put something other than a directory at /${d}`);
    }
    // In the system's temporary folder: a store URL cannot hold every path.
    const store = await (0,promises_.mkdtemp)(external_node_path_.join((0,external_node_os_.tmpdir)(), 'layered-image-nix-db-'));
    if (!/^[A-Za-z0-9/._+-]+$/.test(store))
        throw new errors/* UserError */.yo(`includeNixDB: the temporary folder ${store} has characters a Nix store URL cannot hold; set TMPDIR`);
    try {
        await loadDb(store, dir, paths, contents, mtime);
    }
    catch (e) {
        (0,errors/* asUserError */.Yl)(e, 'includeNixDB');
    }
    finally {
        await (0,promises_.rm)(store, { recursive: true, force: true });
    }
}
async function loadDb(store, dir, paths, contents, mtime) {
    const dump = await run('nix-store', ['--dump-db', ...paths], {}, 'includeNixDB: nix-store --dump-db');
    // A store rooted in scratch: the database lands in store/nix/var/nix/db.
    await run('nix-store', ['--store', `local?root=${store}`, '--load-db'], { input: dump, env: { USER: process.env['USER'] ?? 'nobody' } }, 'includeNixDB: nix-store --load-db');
    const db = external_node_path_.join(store, 'nix', 'var', 'nix', 'db');
    // Registration times are when the database was made, and derivers are
    // whatever this machine built or fetched the paths with: neither may
    // change the layer.
    await run('sqlite3', [external_node_path_.join(db, 'db.sqlite'), `UPDATE ValidPaths SET registrationTime = ${Math.trunc(mtime)}, deriver = NULL;`], {}, 'includeNixDB: sqlite3');
    const into = external_node_path_.join(dir, 'nix', 'var', 'nix');
    for (const d of ['nix', 'nix/var', 'nix/var/nix', 'nix/var/nix/db', 'nix/var/nix/gcroots', 'nix/var/nix/gcroots/docker']) {
        await (0,promises_.mkdir)(external_node_path_.join(dir, d), { recursive: true });
        await (0,promises_.chmod)(external_node_path_.join(dir, d), 0o755);
    }
    // Only the database and its schema version: the lock and the 8 MiB
    // reserved-space file are made again by Nix where it needs them.
    for (const f of ['db.sqlite', 'schema']) {
        await (0,promises_.copyFile)(external_node_path_.join(db, f), external_node_path_.join(into, 'db', f));
        await (0,promises_.chmod)(external_node_path_.join(into, 'db', f), 0o644);
    }
    for (const c of contents) {
        const root = external_node_path_.join(into, 'gcroots', 'docker', external_node_path_.basename(c));
        if ((await (0,promises_.lstat)(root).catch(() => undefined)) === undefined)
            await (0,promises_.symlink)(c, root);
    }
}
/** Runs the user's script in `dir` with umask 022; its output goes to the log. */
async function runExtraCommands(script, dir, log) {
    await run('/bin/sh', ['-c', `umask 022\n${script}`], { cwd: dir, log }, 'extraCommands');
}
function run(command, args, opts, what) {
    return new Promise((resolve, reject) => {
        const child = (0,external_node_child_process_namespaceObject.spawn)(command, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
        const out = [];
        const err = [];
        const say = (chunk) => {
            for (const line of chunk.toString('utf8').split('\n'))
                if (line !== '')
                    opts.log?.info(`${what}: ${line}`);
        };
        child.stdout.on('data', (c) => (opts.log === undefined ? out.push(c) : say(c)));
        child.stderr.on('data', (c) => (opts.log === undefined ? err.push(c) : say(c)));
        child.on('error', (e) => reject(new errors/* UserError */.yo(`${what}: cannot run ${command}: ${(0,errors/* errnoCode */.UK)(e) ?? e.message}`)));
        child.on('close', (code, signal) => {
            if (code === 0)
                return resolve(Buffer.concat(out));
            const detail = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
            reject(new errors/* UserError */.yo(`${what} failed (${signal ?? `exit status ${code}`})${detail === '' ? '' : `: ${detail}`}`));
        });
        child.stdin.on('error', () => { }); // a command that exits early closes its input
        child.stdin.end(opts.input);
    });
}
/**
 * Packs `dir` as the customisation layer, as store layers are packed (hard
 * links as plain files, each with its content), with names relative to it.
 */
async function packDirectory(dir, settings, sink) {
    const other = (name) => new errors/* UserError */.yo(`extraCommands made /${name}, which is neither a file, a directory nor a symlink; a layer holds only those`);
    try {
        return await (0,store_layer/* writeMembers */.Jl)((0,store_layer/* directoryMembers */.vY)(dir, other), settings, sink);
    }
    catch (e) {
        return (0,errors/* asUserError */.Yl)(e, 'cannot pack the customisation layer');
    }
}

// EXTERNAL MODULE: ./lib/layer/names.js
var layer_names = __nccwpck_require__(893);
;// CONCATENATED MODULE: ./lib/layer/customisation.js





/**
 * The image root as nixpkgs' symlinkJoin (lndir) makes it from `contents`:
 * directories are real and merged, a file becomes a symlink to its store
 * location, and a symlink is copied with its own target. Two contents that
 * put different things at one path are an error naming both.
 */
async function mergeContents(contents) {
    const root = { kind: 'dir', children: new Map(), from: '' };
    for (const content of contents) {
        const st = await (0,promises_.lstat)(content);
        if (!st.isDirectory()) {
            throw new errors/* UserError */.yo(`contents ${content} is not a directory, so it has nothing to merge into the image root; refer to it from the config instead`);
        }
        await mergeDir(root, content, '', content);
    }
    return root;
}
async function mergeDir(into, srcDir, rel, content) {
    const names = (await (0,promises_.readdir)(srcDir, { encoding: 'buffer' })).sort((a, b) => Buffer.compare(a, b)).map((b) => (0,layer_names/* utf8Name */.P)(b, srcDir));
    for (const name of names) {
        const src = external_node_path_.join(srcDir, name);
        const relPath = rel === '' ? name : `${rel}/${name}`;
        const st = await (0,promises_.lstat)(src);
        const existing = into.children.get(name);
        if (st.isDirectory()) {
            if (existing === undefined) {
                const dir = { kind: 'dir', children: new Map(), from: content };
                into.children.set(name, dir);
                await mergeDir(dir, src, relPath, content);
            }
            else if (existing.kind === 'dir') {
                await mergeDir(existing, src, relPath, content);
            }
            else {
                throw conflict(relPath, existing, `a directory from ${content}`);
            }
            continue;
        }
        const target = st.isSymbolicLink() ? (0,layer_names/* utf8Name */.P)(await (0,promises_.readlink)(src, { encoding: 'buffer' }), src) : src;
        if (existing === undefined) {
            into.children.set(name, { kind: 'link', target, from: content });
        }
        else if (existing.kind === 'dir' || existing.target !== target) {
            throw conflict(relPath, existing, `${target} from ${content}`);
        }
    }
}
function conflict(relPath, existing, other) {
    const first = existing.kind === 'dir' ? `a directory from ${existing.from}` : `${existing.target} from ${existing.from}`;
    return new errors/* UserError */.yo(`contents collide at /${relPath}: ${first} and ${other}`);
}
/** Writes the merged tree as the customisation layer, parents before children. */
function writeCustomisationLayer(root, settings, sink) {
    const entries = [];
    const walk = (dir, prefix) => {
        const names = [...dir.children.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        for (const name of names) {
            const node = dir.children.get(name);
            const rel = `${prefix}${name}`;
            if (node.kind === 'dir') {
                entries.push({ name: rel, type: 'directory', mode: 0o755, size: 0, linkname: '' });
                walk(node, `${rel}/`);
            }
            else {
                entries.push({ name: rel, type: 'symlink', mode: 0o777, size: 0, linkname: node.target });
            }
        }
    };
    walk(root, '');
    // Directories and symlinks only: no file is read.
    return (0,store_layer/* writeMembers */.Jl)({ root: '', entries }, settings, sink);
}

;// CONCATENATED MODULE: ./lib/nix/closure.js


/**
 * Queries the closure and its reference graph with two `nix-store` calls in
 * all, whatever the number of paths. `--requisites` and `--dump-db` print
 * plain text whose format has not changed since Nix 2.0, unlike
 * `nix path-info --json` (a list up to 2.18, an object keyed by path since,
 * and a versioned format after that), so the same code serves Nix 2.8 and
 * current Nix without experimental flags.
 */
async function queryClosure(roots) {
    const sortedRoots = [...new Set(roots)].sort();
    if (sortedRoots.length === 0)
        return { roots: [], paths: new Map() };
    const requisites = (await nixStore(['--query', '--requisites', ...sortedRoots]))
        .split('\n')
        .filter((l) => l !== '');
    const dump = await nixStore(['--dump-db', ...requisites]);
    const paths = parseDumpDb(dump);
    for (const p of requisites) {
        if (!paths.has(p))
            throw new Error(`nix-store --dump-db did not describe ${p}`);
    }
    return { roots: sortedRoots, paths: new Map([...paths].sort(([a], [b]) => cmp(a, b))) };
}
/**
 * Parses the registration format of `nix-store --dump-db` (the one
 * `--register-validity` reads): path, NAR hash, NAR size, deriver, the number
 * of references, then the references, one per line.
 */
function parseDumpDb(text) {
    const lines = text.split('\n');
    const out = new Map();
    let i = 0;
    const next = () => {
        const l = lines[i++];
        if (l === undefined)
            throw new Error('nix-store --dump-db output ended early');
        return l;
    };
    while (i < lines.length) {
        const p = next();
        if (p === '')
            continue;
        next(); // NAR hash
        const narSize = Number(next());
        next(); // deriver, possibly empty
        const count = Number(next());
        if (!Number.isInteger(count) || count < 0 || !Number.isFinite(narSize)) {
            throw new Error(`unexpected nix-store --dump-db record for ${p}`);
        }
        const refs = [];
        for (let k = 0; k < count; k++)
            refs.push(next());
        out.set(p, { path: p, narSize, references: [...new Set(refs)].filter((r) => r !== p).sort(cmp) });
    }
    return out;
}
function cmp(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
// eslint-disable-next-line no-control-regex -- Nix may colour its messages
const ANSI_ESCAPES = /\x1b\[[0-9;]*m/g;
function nixStore(args) {
    return new Promise((resolve, reject) => {
        (0,external_node_child_process_namespaceObject.execFile)('nix-store', args, { maxBuffer: 1 << 30, encoding: 'utf8' }, (err, stdout, stderr) => {
            if (!err)
                return resolve(stdout);
            if ('code' in err && err.code === 'ENOENT') {
                return reject(new errors/* UserError */.yo('nix-store was not found on PATH; install Nix first'));
            }
            const plain = stderr.replace(ANSI_ESCAPES, '');
            const line = plain.split('\n').find((l) => l.startsWith('error:')) ?? plain.trim().split('\n')[0] ?? '';
            reject(new errors/* UserError */.yo(`nix-store ${args[0]} failed: ${line.trim() || err.message}`));
        });
    });
}

// EXTERNAL MODULE: ./lib/nix/store.js
var store = __nccwpck_require__(5214);
// EXTERNAL MODULE: ./lib/plan/layers.js + 1 modules
var plan_layers = __nccwpck_require__(9227);
// EXTERNAL MODULE: ./lib/util/temp.js
var temp = __nccwpck_require__(8896);
;// CONCATENATED MODULE: ./lib/build.js




















/** inputs → closure → plan → layers → image → docker-archive at `output`. */
async function build(opts, logger = lib_log/* quietLogger */.Vj) {
    const log = (0,lib_log/* onceEach */.fF)(logger);
    const { contents, configRoots, base } = await resolveRoots(opts);
    const root = await mergeContents(contents);
    const output = await reserveOutput(opts.output);
    const { closure, planned: plan } = await closureAndPlan(opts, contents, configRoots, base, log);
    const work = await (0,promises_.mkdtemp)(external_node_path_.join(external_node_path_.dirname(output.target), '.layered-image-')).catch((e) => (0,errors/* asUserError */.Yl)(e, `cannot create a work folder beside ${opts.output}`));
    (0,temp/* trackTemporary */.hN)(work);
    (0,temp/* trackTemporary */.hN)(output.tmp);
    let saving = Promise.resolve(0);
    const workers = new layer_workers/* LayerWorkers */.$(opts.concurrency);
    try {
        const cache = await openCache(opts, log);
        const planned = await log.group('Cache restore', async () => {
            if (cache === undefined)
                log.info('no layer cache');
            return lookupStoreLayers(plan.map((l) => l.paths), opts.storeLayerSettings, cache, log);
        });
        const target = { file: output.tmp, label: `output ${opts.output}` };
        const { baseLayers, storeLayers } = await log.group('Build layers', async () => {
            await (await (0,promises_.open)(output.tmp, 'wx', 0o644).catch((e) => (0,errors/* asUserError */.Yl)(e, `cannot write output ${opts.output}`))).close();
            const copying = base === undefined ? Promise.resolve([]) : copyBaseLayers(base, { output: target, workers, onBytes: () => { } });
            const from = layerPlaces(base?.layers.map((l) => l.size) ?? []).end;
            const writing = writeStoreLayers(planned, { output: target, from, settings: opts.storeLayerSettings, work, cache, workers, concurrency: opts.concurrency, log });
            // Both settle before either failure is reported: no job is left writing.
            const [copied, written] = await Promise.allSettled([copying, writing]);
            if (copied.status === 'rejected')
                throw copied.reason;
            if (written.status === 'rejected')
                throw written.reason;
            return { baseLayers: copied.value, storeLayers: written.value };
        });
        // Saves run in the background while the image is assembled; they must
        // finish before `work` goes.
        saving = saveNewLayers(planned, storeLayers, cache, work);
        // From the merged tree in memory, or through a real directory when a
        // script or the Nix database has to add to it.
        const customisationLayer = async (tree, sink) => {
            if (opts.extraCommands === undefined && !opts.includeNixDB)
                return writeCustomisationLayer(tree, opts.storeLayerSettings, sink);
            const dir = await customisationDir(tree, work);
            if (opts.includeNixDB) {
                // Every path of the closure is in the image, in our layers or the base's.
                await addNixDb(dir, [...closure.paths.keys()].sort(), contents, opts.storeLayerSettings.mtime);
            }
            if (opts.extraCommands !== undefined)
                await runExtraCommands(opts.extraCommands, dir, log);
            return packDirectory(dir, opts.storeLayerSettings, sink);
        };
        const image = await log.group('Assemble image', async () => {
            // The customisation layer is last, so its place is known already: its
            // header is one block, as it may not reach 8 GiB.
            const offset = layerPlaces([...baseLayers, ...storeLayers].map((l) => l.size)).end + tar_header/* BLOCK */.IE;
            const overflow = `the customisation layer is larger than ${(0,lib_log/* formatBytes */.z3)(MAX_LAST_LAYER)}; put large files in store paths instead`;
            const sink = layer_sink/* RangeSink */.x6.open({ ...target, offset, size: MAX_LAST_LAYER, overflow });
            const custom = await customisationLayer(root, sink).finally(() => sink.close());
            const layers = [
                ...baseLayers,
                ...storeLayers,
                { ...custom, paths: [], source: 'built', comment: pathsComment('customisation layer, contents', contents) },
            ];
            const configJson = imageConfigJson({
                architecture: opts.architecture,
                created: opts.created,
                config: base === undefined ? opts.config : mergeBaseConfig(base.config, opts.config),
                layers,
                ...(base === undefined ? {} : { base: { history: base.history, layers: base.layers.length } }),
            });
            const imageId = configDigest(configJson);
            // A tag derived from the config is stable across machines and changes
            // whenever any layer or setting does.
            const imageTag = opts.tag ?? (0,digest/* digestHex */.sU)(imageId).slice(0, 32);
            finishDockerArchive(output.tmp, { configJson, repoTag: `${opts.name}:${imageTag}`, layers }, target.label);
            await (0,promises_.rename)(output.tmp, output.target).catch((e) => (0,errors/* asUserError */.Yl)(e, `cannot write output ${opts.output}`));
            const imageSize = (await (0,promises_.stat)(output.target)).size;
            log.info(`${opts.output}: ${opts.name}:${imageTag}, ${layers.length} layers, ${(0,lib_log/* formatBytes */.z3)(imageSize)}`);
            return { layers, imageId, imageTag, imageSize };
        });
        const saved = await log.group('Cache save', async () => {
            const n = await saving;
            if (cache !== undefined)
                log.info(`${n} new store layers saved to the ${cache.description}`);
            else
                log.info('no layer cache');
            return n;
        });
        const restored = storeLayers.filter((l) => l.source === 'restored').length;
        return {
            imagePath: opts.output,
            imageName: opts.name,
            imageTag: image.imageTag,
            imageId: image.imageId,
            imageSize: image.imageSize,
            layerDigests: image.layers.map((l) => l.digest),
            layers: image.layers.map((l) => ({ digest: l.digest, size: l.size, paths: [...l.paths], source: l.source })),
            cache: { restored, built: storeLayers.length - restored, saved },
        };
    }
    finally {
        await workers.close();
        await saving.catch(() => 0);
        await (0,promises_.rm)(work, { recursive: true, force: true });
        await (0,promises_.unlink)(output.tmp).catch(() => { });
        (0,temp/* untrackTemporary */.OW)(work);
        (0,temp/* untrackTemporary */.OW)(output.tmp);
    }
}
/** What build would make of these options, layer by layer, building nothing. */
async function explain(opts, logger = lib_log/* quietLogger */.Vj) {
    const log = (0,lib_log/* onceEach */.fF)(logger);
    const { contents, configRoots, base } = await resolveRoots(opts);
    await mergeContents(contents); // the same checks as a build makes
    const { closure, planned } = await closureAndPlan(opts, contents, configRoots, base, log);
    const narSize = (paths) => paths.reduce((n, p) => n + (closure.paths.get(p)?.narSize ?? 0), 0);
    return {
        name: opts.name,
        maxLayers: opts.maxLayers,
        layering: opts.layering,
        layers: [
            ...(base?.layers ?? []).map((l, i) => ({ narSize: l.size, paths: [], why: `base image layer ${i + 1} (${l.member}), as it is` })),
            ...planned.map((l) => ({ narSize: narSize(l.paths), paths: l.paths, why: l.why })),
            { narSize: 0, paths: [], why: `customisation layer: ${contents.length} contents merged into / as symlinks` },
        ],
    };
}
/** The store paths (and base image) the image is built from; every check of the user's input comes before any work. */
async function resolveRoots(opts) {
    const contents = [];
    for (const c of opts.contents) {
        // One at a time, so the first bad argument is the one reported.
        const p = await (0,store/* resolveStorePath */.BX)(c);
        if (!contents.includes(p))
            contents.push(p);
    }
    const configRoots = await configStorePaths(opts);
    if (contents.length === 0 && configRoots.length === 0) {
        throw new errors/* UserError */.yo('nothing to put in the image: give contents, or store paths in the config');
    }
    const base = opts.fromImage === undefined ? undefined : readBaseImage(opts.fromImage);
    if (base !== undefined) {
        if (base.architecture !== undefined && base.architecture !== opts.architecture) {
            throw new errors/* UserError */.yo(`fromImage ${opts.fromImage} is for ${base.architecture}, this image for ${opts.architecture}; set architecture to match`);
        }
        if (opts.maxLayers - 1 - base.layers.length < 1) {
            throw new errors/* UserError */.yo(`fromImage ${opts.fromImage} has ${base.layers.length} layers: maxLayers ${opts.maxLayers} leaves no room for store layers (at least ${base.layers.length + 2})`);
        }
    }
    return { contents, configRoots, base };
}
async function closureAndPlan(opts, contents, configRoots, base, log) {
    const closure = await log.group('Closure', async () => {
        const found = await queryClosure([...contents, ...configRoots]);
        const narBytes = [...found.paths.values()].reduce((n, p) => n + p.narSize, 0);
        log.info(`${found.paths.size} store paths, ${(0,lib_log/* formatBytes */.z3)(narBytes)}, from ${contents.length} contents and ${configRoots.length} store paths in the config`);
        return found;
    });
    const planned = await log.group('Plan', () => {
        const infos = [...closure.paths.values()];
        const layers = (0,plan_layers/* planStoreLayers */.v)({
            references: new Map(infos.map((info) => [info.path, info.references])),
            sizes: new Map(infos.map((info) => [info.path, info.narSize])),
            roots: { contents, config: configRoots },
            // The customisation layer and a base image's layers count too.
            layers: opts.maxLayers - 1 - (base?.layers.length ?? 0),
            layering: opts.layering,
            groupPopular: opts.groupPopular,
            hints: opts.hints,
            exclude: base?.storePaths ?? new Set(),
        });
        const shared = layers.filter((l) => l.paths.length > 1).length;
        const fromBase = base === undefined ? '' : `${base.layers.length} base image layers (${[...closure.paths.keys()].filter((p) => base.storePaths.has(p)).length} store paths already in them), `;
        log.info(`${fromBase}${layers.length} store layers and the customisation layer (maxLayers ${opts.maxLayers}, layering ${opts.layering}); ${shared} store layer(s) hold several paths`);
        return layers;
    });
    return { closure, planned };
}
async function openCache(opts, log) {
    const warn = (m) => log.warning(m);
    switch (opts.cache.kind) {
        case 'none':
            return undefined;
        case 'directory':
            return new DirectoryCache(opts.cache.dir, warn);
        case 'actions': {
            // Loaded only here: its HTTP and Azure clients take longer to load
            // than a warm build of a small image takes to run.
            const { ActionsCache } = await Promise.all(/* import() */[__nccwpck_require__.e(885), __nccwpck_require__.e(807)]).then(__nccwpck_require__.bind(__nccwpck_require__, 5807));
            if (ActionsCache.available())
                return new ActionsCache(opts.cache.dir, warn);
            log.warning('the GitHub Actions cache service is not available here; building every layer without a cache');
            return undefined;
        }
    }
}
/** Store paths named anywhere in the config are closure roots too. */
async function configStorePaths(opts) {
    const found = [...new Set((0,store/* storePathsIn */.FC)(JSON.stringify(opts.config)))].sort();
    for (const p of found) {
        try {
            await (0,promises_.lstat)(p);
        }
        catch {
            throw new errors/* UserError */.yo(`config refers to ${p}, which is not in the Nix store`);
        }
    }
    return found;
}
/**
 * Checks that the output can be written before any work is done, and keeps
 * a temporary name beside it: the image appears under its real name only
 * once complete, and an existing file there is untouched until then. Only a
 * regular file (or a link to one, which is followed) is ever replaced.
 */
async function reserveOutput(output) {
    let target = output;
    const st = await (0,promises_.stat)(output).catch(() => undefined);
    if (st !== undefined) {
        if (st.isDirectory())
            throw new errors/* UserError */.yo(`output ${output} is a directory`);
        if (!st.isFile())
            throw new errors/* UserError */.yo(`output ${output} exists and is not a regular file; it is left alone`);
        target = await (0,promises_.realpath)(output);
    }
    else if ((await (0,promises_.lstat)(output).catch(() => undefined))?.isSymbolicLink()) {
        throw new errors/* UserError */.yo(`output ${output} is a symlink to nothing`);
    }
    const tmp = external_node_path_.join(external_node_path_.dirname(target), `.layered-image-${process.pid}-${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`);
    try {
        await (await (0,promises_.open)(tmp, 'wx', 0o644)).close();
        await (0,promises_.unlink)(tmp);
    }
    catch (e) {
        throw new errors/* UserError */.yo(`output ${output} cannot be written: ${(0,errors/* errnoCode */.UK)(e) ?? String(e)}`);
    }
    return { target, tmp };
}


/***/ }),

/***/ 2009:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   L: () => (/* binding */ layerCacheKey),
/* harmony export */   d: () => (/* binding */ LAYER_FORMAT_VERSION)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var _nix_store_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(5214);


/**
 * Bump whenever the store layer writer changes its bytes, so entries written
 * by an older writer are never mistaken for current ones.
 */
const LAYER_FORMAT_VERSION = 1;
const PREFIX = 'layered-image-layer-';
/**
 * The cache key of a store layer: everything that decides its bytes (the
 * writer's format, the store directory, the tar settings and the store-path
 * hashes in layer order) hashed to a fixed length, so no key is a prefix of
 * another — the Actions cache matches keys by prefix.
 */
function layerCacheKey(paths, settings) {
    const material = JSON.stringify({
        format: LAYER_FORMAT_VERSION,
        store: (0,_nix_store_js__WEBPACK_IMPORTED_MODULE_1__/* .storeDir */ .rT)(),
        settings: [settings.mtime, settings.uid, settings.gid, settings.uname, settings.gname],
        paths: paths.map(_nix_store_js__WEBPACK_IMPORTED_MODULE_1__/* .storePathHash */ .jV),
    });
    return PREFIX + (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(material).digest('hex');
}


/***/ }),

/***/ 2862:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  O: () => (/* binding */ checkCachedLayer),
  L: () => (/* binding */ copyCachedLayer)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./lib/digest.js
var lib_digest = __nccwpck_require__(8463);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __nccwpck_require__(452);
// EXTERNAL MODULE: ./lib/layer/sink.js
var sink = __nccwpck_require__(2814);
// EXTERNAL MODULE: ./lib/cache/key.js
var key = __nccwpck_require__(2009);
// EXTERNAL MODULE: ./lib/layer/tar-header.js
var tar_header = __nccwpck_require__(3198);
;// CONCATENATED MODULE: ./lib/cache/scan-layer.js

/**
 * Walks the members of a cached store layer, strictly, from the chunks it
 * is fed as the layer is copied: the layer is read once, for hashing,
 * scanning and copying together. The cache only ever holds what our writer
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
    block = Buffer.alloc(tar_header/* BLOCK */.IE);
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
        const start = this.offset - tar_header/* BLOCK */.IE;
        if (this.block.equals(tar_header/* ZERO_BLOCK */.tU)) {
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
        const dataBlocks = Math.ceil(header.size / tar_header/* BLOCK */.IE) * tar_header/* BLOCK */.IE;
        if (start + tar_header/* BLOCK */.IE + dataBlocks > this.size) {
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
        if (start + tar_header/* BLOCK */.IE + Math.ceil(memberSize / tar_header/* BLOCK */.IE) * tar_header/* BLOCK */.IE > this.size) {
            this.bad = 'a member runs past its end';
            return;
        }
        this.bad = this.check({ name, type: header.type });
        this.left = Math.ceil(memberSize / tar_header/* BLOCK */.IE) * tar_header/* BLOCK */.IE;
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
    for (let i = 0; i < bytes.length; i += tar_header/* BLOCK */.IE) {
        const part = bytes.subarray(i, i + tar_header/* BLOCK */.IE);
        if (!part.equals(tar_header/* ZERO_BLOCK */.tU.subarray(0, part.length)))
            return false;
    }
    return true;
}
const TYPES = { 0x30: 'file', 0x35: 'directory', 0x32: 'symlink', 0x78: 'x' };
const PAX_KEYS = new Set(['path', 'linkpath', 'uname', 'gname', 'uid', 'gid', 'size', 'mtime']);
const NUMERIC_PAX_KEYS = new Set(['uid', 'gid', 'size', 'mtime']);
function parseHeader(b) {
    if (!(0,tar_header/* checksumMatches */.XK)(b))
        return 'a tar header has a wrong checksum';
    if (b.toString('latin1', 257, 265) !== 'ustar\u000000')
        return 'a tar header is not ustar';
    const type = TYPES[b[156]];
    if (type === undefined)
        return `it holds an entry of type ${JSON.stringify(String.fromCharCode(b[156]))}`;
    if (!isZero(b.subarray(345, 500)))
        return 'a tar header uses the ustar name prefix';
    const size = (0,tar_header/* readOctal */.C8)(b, 124, 12);
    if (Number.isNaN(size))
        return 'a tar header has an unreadable size';
    for (const [offset, length] of [[100, 8], [108, 8], [116, 8], [136, 12]]) {
        if (Number.isNaN((0,tar_header/* readOctal */.C8)(b, offset, length)))
            return 'a tar header has an unreadable mode, owner or time';
    }
    return { name: (0,tar_header/* readText */.yR)(b, 0, 100), type, size };
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
 * The checks of a restored entry that need no reading of the layer: its
 * metadata must describe exactly the layer asked for (key, format, store
 * paths) and its layer file must be a regular file of the recorded size.
 * The bytes are checked as they are copied into the image (copyCachedLayer).
 */
async function checkCachedLayer(entry, expected) {
    const meta = checkMeta(entry.meta, expected);
    if (typeof meta === 'string')
        return { ok: false, reason: meta };
    const st = await (0,promises_.lstat)(entry.file).catch(() => undefined);
    if (st === undefined || !st.isFile())
        return { ok: false, reason: 'its layer is missing or not a regular file' };
    if (st.size !== meta.size)
        return { ok: false, reason: `its layer has ${st.size} bytes, its metadata says ${meta.size}` };
    return { ok: true, meta };
}
const CHUNK = 4 << 20;
/**
 * Copies a cached layer (or a base image's, from its place in the base
 * tarball) into its place in the image, reading it once: the
 * same chunks are hashed, scanned strictly as tar (every member must lie
 * under the layer's store paths, or be `/nix`, `/nix/store`: no `..`,
 * nothing elsewhere) and written. Returns the digest, which the caller
 * compares with the metadata, or why the layer may not be used; then the
 * bytes already written are garbage to be overwritten.
 */
function copyCachedLayer(source, target, onBytes) {
    const { file, paths } = source;
    // A base image's layers are whatever its author put there: hashed, not scanned.
    const members = paths === undefined ? undefined : memberCheck(paths);
    const scanner = members === undefined ? undefined : new LayerScanner(target.size, members.check);
    const hash = (0,external_node_crypto_.createHash)('sha256');
    let from;
    try {
        // Checked before by name; the name may have been given another file
        // since: never follow a link or wait on a FIFO, and look again.
        from = (0,external_node_fs_.openSync)(file, external_node_fs_.constants.O_RDONLY | external_node_fs_.constants.O_NOFOLLOW | external_node_fs_.constants.O_NONBLOCK);
    }
    catch (e) {
        return { bad: `its layer cannot be read (${(0,errors/* errnoCode */.UK)(e) ?? (0,errors/* messageOf */.bD)(e)})` };
    }
    let to;
    try {
        const st = (0,external_node_fs_.fstatSync)(from);
        if (!st.isFile() || st.size < source.offset + target.size)
            return { bad: 'its layer changed after it was checked' };
        try {
            to = (0,external_node_fs_.openSync)(target.file, 'r+');
        }
        catch (e) {
            return (0,errors/* asUserError */.Yl)(e, `cannot write ${target.label}`);
        }
        const buf = Buffer.allocUnsafe(CHUNK);
        let done = 0;
        while (done < target.size) {
            let n;
            try {
                n = (0,external_node_fs_.readSync)(from, buf, 0, Math.min(CHUNK, target.size - done), source.offset + done);
            }
            catch (e) {
                // The cache's failure, never the build's.
                return { bad: `its layer cannot be read (${(0,errors/* errnoCode */.UK)(e) ?? (0,errors/* messageOf */.bD)(e)})` };
            }
            if (n === 0)
                return { bad: `its layer ends after ${done} bytes` };
            const chunk = buf.subarray(0, n);
            scanner?.feed(chunk);
            if (scanner?.refused !== undefined)
                return { bad: scanner.refused };
            hash.update(chunk);
            (0,sink/* writeFully */.KM)(to, target.label, chunk, target.offset + done);
            done += n;
            onBytes(n);
        }
        const bad = scanner?.end() ?? members?.missing();
        if (bad !== undefined)
            return { bad };
        return { digest: `sha256:${hash.digest('hex')}` };
    }
    finally {
        (0,external_node_fs_.closeSync)(from);
        if (to !== undefined)
            (0,external_node_fs_.closeSync)(to);
    }
}
function checkMeta(raw, expected) {
    if (raw === null || typeof raw !== 'object')
        return 'its metadata is missing or not an object';
    const m = raw;
    if (m['format'] !== key/* LAYER_FORMAT_VERSION */.d)
        return `its metadata has format ${String(m['format'])}, not ${key/* LAYER_FORMAT_VERSION */.d}`;
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
        digest = (0,lib_digest/* parseDigest */.m)(String(m['digest']));
    }
    catch {
        return 'its metadata has no valid digest';
    }
    return { format: key/* LAYER_FORMAT_VERSION */.d, key: expected.key, digest, size: m['size'], paths: [...expected.paths] };
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
        if (!name.startsWith('/') || name.split('/').some((c) => c === '..' || c === '.') || external_node_path_.posix.normalize(name) !== name) {
            return `it holds a member outside the store paths: ${header.name}`;
        }
        const store = name === '/nix' || name === '/nix/store';
        if (!store && !paths.some((p) => name === p || name.startsWith(`${p}/`)))
            return `it holds a member outside the store paths: ${header.name}`;
        if (store && kind !== 'directory')
            return `it holds a ${kind} at ${name}`;
        if (seen.has(name))
            return `it holds ${name} twice`;
        if (seen.get(external_node_path_.posix.dirname(name)) !== 'directory')
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


/***/ }),

/***/ 9069:
/***/ ((__webpack_module__, __webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(__webpack_module__, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ main)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3136);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(7975);
/* harmony import */ var _build_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(5289);
/* harmony import */ var _plan_explain_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(7928);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(452);
/* harmony import */ var _options_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(3461);
/* harmony import */ var _layer_workers_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(7554);
/* harmony import */ var _util_temp_js__WEBPACK_IMPORTED_MODULE_8__ = __nccwpck_require__(8896);









const USAGE = `usage: layered-image build --name NAME [--tag TAG] --contents PATH [--contents PATH ...]
           [--config JSON | --config @FILE] [--max-layers N] [--created ISO|now]
           [--architecture ARCH] [--output FILE] [--cache-dir DIR | --no-cache] [--json]
           [--from-image TARBALL] [--extra-commands SCRIPT] [--include-nix-db] [--layering size|popularity] [--group-popular N] [--hint deeper:PATTERN|top:PATTERN ...]
           [--uid N] [--gid N] [--uname NAME] [--gname NAME] [--mtime SECONDS|ISO] [--explain]`;
const FLAGS = {
    name: { type: 'string' },
    tag: { type: 'string' },
    contents: { type: 'string', multiple: true },
    config: { type: 'string' },
    'max-layers': { type: 'string' },
    created: { type: 'string' },
    architecture: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'cache-dir': { type: 'string' },
    'no-cache': { type: 'boolean' },
    json: { type: 'boolean' },
    'from-image': { type: 'string' },
    'extra-commands': { type: 'string' },
    'include-nix-db': { type: 'boolean' },
    layering: { type: 'string' },
    'group-popular': { type: 'string' },
    hint: { type: 'string', multiple: true },
    explain: { type: 'boolean' },
    uid: { type: 'string' },
    gid: { type: 'string' },
    uname: { type: 'string' },
    gname: { type: 'string' },
    mtime: { type: 'string' },
    debug: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
};
/** Runs the CLI and returns its exit status; never exits the process itself. */
async function main(argv) {
    const debug = argv.includes('--debug');
    try {
        const [command, ...rest] = argv;
        if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
            process.stdout.write(`${USAGE}\n`);
            return command === undefined ? 2 : 0;
        }
        if (command !== 'build')
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`unknown command "${command}"\n${USAGE}`);
        const { values, positionals } = parseFlags(rest);
        if (values.help) {
            process.stdout.write(`${USAGE}\n`);
            return 0;
        }
        if (positionals.length > 0)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`unexpected argument "${positionals[0]}"`);
        const opts = await (0,_options_js__WEBPACK_IMPORTED_MODULE_6__/* .parseOptions */ .Ac)({
            name: values.name,
            tag: values.tag,
            contents: values.contents ?? [],
            config: values.config,
            maxLayers: values['max-layers'],
            created: values.created,
            architecture: values.architecture,
            output: values.output,
            cacheDir: values['cache-dir'],
            noCache: values['no-cache'],
            fromImage: values['from-image'],
            extraCommands: values['extra-commands'],
            includeNixDB: values['include-nix-db'],
            layering: values.layering,
            groupPopular: values['group-popular'],
            hints: values.hint,
            explain: values.explain,
            uid: values.uid,
            gid: values.gid,
            uname: values.uname,
            gname: values.gname,
            mtime: values.mtime,
        });
        if (opts.explain) {
            const plan = await (0,_build_js__WEBPACK_IMPORTED_MODULE_3__/* .explain */ .W)(opts, stderrLogger());
            process.stdout.write(values.json ? `${JSON.stringify(plan)}\n` : (0,_plan_explain_js__WEBPACK_IMPORTED_MODULE_4__/* .formatPlan */ .n)(plan));
            return 0;
        }
        const report = await (0,_build_js__WEBPACK_IMPORTED_MODULE_3__/* .build */ .j)(opts, stderrLogger());
        process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : humanReport(report));
        return 0;
    }
    catch (e) {
        if (e instanceof _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo) {
            process.stderr.write(`layered-image: ${e.message.split('\n')[0]}\n`);
            return 1;
        }
        process.stderr.write(debug && e instanceof Error ? `${e.stack}\n` : `layered-image: internal error: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .messageOf */ .bD)(e)} (--debug shows where)\n`);
        return 70;
    }
}
function parseFlags(args) {
    let parsed;
    try {
        parsed = (0,node_util__WEBPACK_IMPORTED_MODULE_2__.parseArgs)({ args: joinDashValues(args), options: FLAGS, strict: true, allowPositionals: true });
    }
    catch (e) {
        // parseArgs' own messages run over several lines; keep the first.
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo((0,_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .messageOf */ .bD)(e).split('\n')[0] ?? 'bad arguments');
    }
    for (const [flag, value] of Object.entries(parsed.values)) {
        const values = Array.isArray(value) ? value : [value];
        if (values.some((v) => v === ''))
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_5__/* .UserError */ .yo(`--${flag} needs a value, got an empty one`);
    }
    return parsed;
}
/**
 * `--tag -v1` or `--max-layers -1`: a value that starts with a dash but is
 * not a flag belongs to the flag before it, so the value gets checked and
 * named rather than parseArgs calling the command line ambiguous.
 */
function joinDashValues(args) {
    const out = [];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const next = args[i + 1];
        const option = arg.startsWith('--') ? FLAGS[arg.slice(2)] : undefined;
        if (option?.type === 'string' && next !== undefined && next.startsWith('-') && !isFlag(next)) {
            out.push(`${arg}=${next}`);
            i++;
        }
        else {
            out.push(arg);
        }
    }
    return out;
}
function isFlag(arg) {
    if (arg.startsWith('--'))
        return Object.hasOwn(FLAGS, arg.slice(2).split('=')[0]);
    return arg === '-o' || arg === '-h';
}
/** Progress on stderr, each line led by its phase: `closure: 32 store paths, …`. */
function stderrLogger() {
    let phase = '';
    return {
        info: (m) => process.stderr.write(`${phase}${m}\n`),
        warning: (m) => process.stderr.write(`layered-image: warning: ${m}\n`),
        group: async (name, run) => {
            phase = `${name.toLowerCase()}: `;
            try {
                return await run();
            }
            finally {
                phase = '';
            }
        },
    };
}
function humanReport(r) {
    const rows = r.layers.map((l, i) => {
        const what = l.source === 'base' ? '(base image layer)' : l.paths.length === 0 ? '(customisation layer)' : l.paths.length === 1 ? l.paths[0] : `${l.paths.length} store paths`;
        return `${String(i + 1).padStart(3)}  ${l.digest.slice(7, 19)}  ${String(l.size).padStart(12)}  ${l.source.padEnd(8)}  ${what}`;
    });
    const cache = `  store layers: ${r.cache.restored} restored, ${r.cache.built} built, ${r.cache.saved} saved to the cache`;
    return [`image ${r.imagePath}`, `  ${r.imageName}:${r.imageTag}  ${r.imageId}`, cache, ...rows, ''].join('\n');
}
function isEntryPoint() {
    const argv1 = process.argv[1];
    if (argv1 === undefined)
        return false;
    try {
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)(argv1) === (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.realpathSync)((0,node_url__WEBPACK_IMPORTED_MODULE_1__.fileURLToPath)(import.meta.url));
    }
    catch {
        return false;
    }
}
if (isEntryPoint() && !(0,_layer_workers_js__WEBPACK_IMPORTED_MODULE_7__/* .isLayerWorkerThread */ ._)()) {
    (0,_util_temp_js__WEBPACK_IMPORTED_MODULE_8__/* .cleanUpOnSignals */ .BR)();
    process.exitCode = await main(process.argv.slice(2));
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 8463:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   m: () => (/* binding */ parseDigest),
/* harmony export */   sI: () => (/* binding */ sha256Digest),
/* harmony export */   sU: () => (/* binding */ digestHex)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
function parseDigest(s) {
    if (!DIGEST_RE.test(s))
        throw new Error(`not a sha256 digest: ${s}`);
    return s;
}
/** The hex part, as used for file names inside a docker-archive. */
function digestHex(d) {
    return d.slice('sha256:'.length);
}
function sha256Digest(bytes) {
    return `sha256:${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(bytes).digest('hex')}`;
}


/***/ }),

/***/ 452:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   UK: () => (/* binding */ errnoCode),
/* harmony export */   WU: () => (/* binding */ show),
/* harmony export */   Yl: () => (/* binding */ asUserError),
/* harmony export */   bD: () => (/* binding */ messageOf),
/* harmony export */   yo: () => (/* binding */ UserError)
/* harmony export */ });
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


/***/ }),

/***/ 893:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   P: () => (/* binding */ utf8Name)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(452);

/** A directory entry's name, refusing names that are not UTF-8 rather than mangling them. */
function utf8Name(raw, dir) {
    const name = raw.toString('utf8');
    if (!Buffer.from(name, 'utf8').equals(raw)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .UserError */ .yo(`a file name in ${dir} is not valid UTF-8 (${raw.toString('hex')}); such names are not supported`);
    }
    return name;
}


/***/ }),

/***/ 2814:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   KM: () => (/* binding */ writeFully),
/* harmony export */   x6: () => (/* binding */ RangeSink)
/* harmony export */ });
/* unused harmony export FileSink */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1455);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(452);



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
    copy;
    written = 0;
    constructor(target, copy) {
        this.target = target;
        this.copy = copy;
    }
    static open(target, copyTo) {
        const fd = openFd(target.file, target.label, 'r+');
        try {
            return new RangeSink({ ...target, fd }, copyTo === undefined ? undefined : { fd: openFd(copyTo, copyTo, 'w'), file: copyTo });
        }
        catch (e) {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.closeSync)(fd);
            throw e;
        }
    }
    write(chunk) {
        const { fd, label, offset, size } = this.target;
        if (this.written + chunk.length > size) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(this.target.overflow ?? `a layer came out larger than planned (${size} bytes): its store paths changed while it was being written`);
        }
        writeFully(fd, label, chunk, offset + this.written);
        if (this.copy !== undefined)
            writeFully(this.copy.fd, this.copy.file, chunk, null);
        this.written += chunk.length;
        return Promise.resolve();
    }
    close() {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.closeSync)(this.target.fd);
        if (this.copy !== undefined)
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.closeSync)(this.copy.fd);
        return Promise.resolve();
    }
}
function openFd(file, label, flags) {
    try {
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.openSync)(file, flags, 0o644);
    }
    catch (e) {
        return (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .asUserError */ .Yl)(e, `cannot write ${label}`);
    }
}
/** Writes all of `bytes` at `position` (or the file position, for null); `label` names the file in errors. */
function writeFully(fd, label, bytes, position) {
    let done = 0;
    try {
        while (done < bytes.length) {
            done += (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeSync)(fd, bytes, done, bytes.length - done, position === null ? null : position + done);
        }
    }
    catch (e) {
        (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .asUserError */ .Yl)(e, `cannot write ${label}`);
    }
}


/***/ }),

/***/ 6997:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  vY: () => (/* binding */ directoryMembers),
  Vo: () => (/* binding */ membersSize),
  Bn: () => (/* binding */ packMembers),
  gY: () => (/* binding */ storeLayerMembers),
  Cz: () => (/* binding */ unpackMembers),
  Jl: () => (/* binding */ writeMembers)
});

// UNUSED EXPORTS: storeLayerSize, writeStoreLayer

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __nccwpck_require__(452);
// EXTERNAL MODULE: ./lib/layer/names.js
var names = __nccwpck_require__(893);
// EXTERNAL MODULE: ./lib/layer/tar-header.js
var tar_header = __nccwpck_require__(3198);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
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
    hash = (0,external_node_crypto_.createHash)('sha256');
    constructor(sink, settings) {
        this.sink = sink;
        this.settings = settings;
    }
    /** `fd`: an open descriptor of the file's content, for files. */
    async entry(entry, fd) {
        await this.put((0,tar_header/* encodeHeader */.YS)(entry, this.settings));
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
            const bytesRead = (0,external_node_fs_.readSync)(fd, this.buf, this.fill, want, position);
            if (bytesRead === 0)
                throw new errors/* UserError */.yo(`${entry.name} shrank while it was being read`);
            this.fill += bytesRead;
            position += bytesRead;
            left -= bytesRead;
        }
        await this.put(Buffer.alloc((0,tar_header/* padding */.Ms)(entry.size)));
    }
    /** Ends the archive and returns the digest and size of everything written. */
    async finish() {
        await this.put((0,tar_header/* endOfArchive */.PG)(this.total + this.fill));
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






const TYPES = ['file', 'directory', 'symlink'];
// type (u8), mode (u32), size (f64), name and link lengths (u32 each)
const FIXED = 1 + 4 + 8 + 4 + 4;
function packMembers(members) {
    const entries = [...members.entries];
    const total = entries.reduce((n, e) => n + FIXED + Buffer.byteLength(e.name) + Buffer.byteLength(e.linkname), 0);
    const bytes = Buffer.from(new ArrayBuffer(total));
    let at = 0;
    for (const e of entries) {
        at = bytes.writeUInt8(TYPES.indexOf(e.type), at);
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
            const type = TYPES[bytes.readUInt8(at)];
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
    const entries = ['/nix', '/nix/store'].map((name) => ({ name, type: 'directory', mode: 0o755, size: 0, linkname: '' }));
    const other = (p) => new errors/* UserError */.yo(`${p} is neither a file, a directory nor a symlink; the Nix store holds no such thing`);
    for (const p of paths)
        walk(p, p, entries, other);
    return { root: '', entries };
}
/** The members of a directory's contents, named relative to it (the customisation layer). */
function directoryMembers(dir, other) {
    const entries = [];
    for (const name of sortedNames(dir))
        walk(external_node_path_.join(dir, name), name, entries, other);
    return { root: dir, entries };
}
/** The exact number of bytes writeMembers gives. */
function membersSize(members, settings) {
    let size = 0;
    for (const entry of members.entries)
        size += (0,tar_header/* headerSize */.pw)(entry, settings) + Math.ceil(entry.size / tar_header/* BLOCK */.IE) * tar_header/* BLOCK */.IE;
    return size + (0,tar_header/* endOfArchive */.PG)(size).length;
}
/** Writes the members as one layer tar; each file is read once, as it is framed and hashed. */
async function writeMembers(members, settings, sink) {
    const tar = new TarWriter(sink, settings);
    for (const entry of members.entries) {
        if (entry.type !== 'file') {
            await tar.entry(entry);
            continue;
        }
        const file = members.root === '' ? entry.name : external_node_path_.join(members.root, entry.name);
        let fd;
        try {
            fd = (0,external_node_fs_.openSync)(file, 'r');
        }
        catch (e) {
            (0,errors/* asUserError */.Yl)(e, `cannot read ${file}`);
        }
        try {
            await tar.entry(entry, fd);
        }
        finally {
            (0,external_node_fs_.closeSync)(fd);
        }
    }
    return tar.finish();
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
        st = (0,external_node_fs_.lstatSync)(fsPath);
    }
    catch (e) {
        (0,errors/* asUserError */.Yl)(e, `cannot read ${fsPath}`);
    }
    if (st.isSymbolicLink()) {
        // Targets, like names, must be UTF-8: decoding would change them silently.
        out.push({ name, type: 'symlink', mode: st.mode, size: 0, linkname: (0,names/* utf8Name */.P)((0,external_node_fs_.readlinkSync)(fsPath, { encoding: 'buffer' }), fsPath) });
    }
    else if (st.isDirectory()) {
        out.push({ name, type: 'directory', mode: st.mode, size: 0, linkname: '' });
        for (const child of sortedNames(fsPath))
            walk(external_node_path_.join(fsPath, child), `${name}/${child}`, out, other);
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
        raw = (0,external_node_fs_.readdirSync)(dir, { encoding: 'buffer' });
    }
    catch (e) {
        (0,errors/* asUserError */.Yl)(e, `cannot read ${dir}`);
    }
    return raw.sort((a, b) => Buffer.compare(a, b)).map((b) => (0,names/* utf8Name */.P)(b, dir));
}


/***/ }),

/***/ 3198:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   C8: () => (/* binding */ readOctal),
/* harmony export */   IE: () => (/* binding */ BLOCK),
/* harmony export */   Ms: () => (/* binding */ padding),
/* harmony export */   PG: () => (/* binding */ endOfArchive),
/* harmony export */   XK: () => (/* binding */ checksumMatches),
/* harmony export */   YS: () => (/* binding */ encodeHeader),
/* harmony export */   pw: () => (/* binding */ headerSize),
/* harmony export */   tU: () => (/* binding */ ZERO_BLOCK),
/* harmony export */   yL: () => (/* binding */ DEFAULT_TAR_SETTINGS),
/* harmony export */   yR: () => (/* binding */ readText)
/* harmony export */ });
/* unused harmony export RECORD */
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
 * Reading headers back: the strict scan of cached layers and the lenient
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


/***/ }),

/***/ 7554:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $: () => (/* binding */ LayerWorkers),
/* harmony export */   _: () => (/* binding */ isLayerWorkerThread)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3136);
/* harmony import */ var node_worker_threads__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(5919);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(452);
/* harmony import */ var _cache_verify_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(2862);
/* harmony import */ var _sink_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(2814);
/* harmony import */ var _store_layer_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(6997);







const ROLE = 'layered-image-layer-writer';
/**
 * Store layers written, and cached layers copied, straight into their place
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
    /** Writes a layer's members into its place, and into `copyTo` too when given. */
    write(job, onBytes) {
        // The members move to the worker: this thread's copy is gone after.
        return this.run({ kind: 'write', ...job }, onBytes, [job.members.bytes.buffer]);
    }
    /** Copies a cached layer into its place, checking it (see copyCachedLayer). */
    copy(job, onBytes) {
        return this.run({ kind: 'copy', ...job }, onBytes);
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
                        reject(reply.user ? new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(reply.error) : new Error(reply.error));
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
    async close() {
        await Promise.all(this.all.map((w) => w.terminate()));
    }
    async acquire() {
        const free = this.idle.pop();
        if (free !== undefined)
            return free;
        if (this.all.length < this.count) {
            const worker = new node_worker_threads__WEBPACK_IMPORTED_MODULE_2__.Worker(workerScript(), { workerData: { role: ROLE } });
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
    retire(worker) {
        this.all.splice(this.all.indexOf(worker), 1);
        void worker.terminate();
        this.waiting.shift()?.();
    }
}
function workerScript() {
    const self = (0,node_url__WEBPACK_IMPORTED_MODULE_1__.fileURLToPath)(import.meta.url);
    return node_path__WEBPACK_IMPORTED_MODULE_0__.basename(self) === 'workers.js' ? self : node_path__WEBPACK_IMPORTED_MODULE_0__.join(node_path__WEBPACK_IMPORTED_MODULE_0__.dirname(self), 'layer-writer.js');
}
/** True on a thread started by LayerWorkers, where entry points must stay idle. */
function isLayerWorkerThread() {
    return !node_worker_threads__WEBPACK_IMPORTED_MODULE_2__.isMainThread && node_worker_threads__WEBPACK_IMPORTED_MODULE_2__.workerData?.role === ROLE;
}
if (isLayerWorkerThread()) {
    const port = node_worker_threads__WEBPACK_IMPORTED_MODULE_2__.parentPort;
    port?.on('message', (message) => {
        const { id, job } = message;
        const progress = (n) => port.postMessage({ id, progress: n });
        runJob(job, progress).then((result) => port.postMessage({ id, result }, transferable(result)), (e) => port.postMessage({ id, error: (0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(e), user: e instanceof _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo }));
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
            const members = (0,_store_layer_js__WEBPACK_IMPORTED_MODULE_6__/* .storeLayerMembers */ .gY)(job.paths);
            return { members: (0,_store_layer_js__WEBPACK_IMPORTED_MODULE_6__/* .packMembers */ .Bn)(members), size: (0,_store_layer_js__WEBPACK_IMPORTED_MODULE_6__/* .membersSize */ .Vo)(members, job.settings) };
        }
        case 'copy':
            return (0,_cache_verify_js__WEBPACK_IMPORTED_MODULE_4__/* .copyCachedLayer */ .L)(job.source, job.target, progress);
        case 'write': {
            const sink = _sink_js__WEBPACK_IMPORTED_MODULE_5__/* .RangeSink */ .x6.open(job.target, job.copyTo);
            try {
                const counted = {
                    write: (chunk) => {
                        progress(chunk.length);
                        return sink.write(chunk);
                    },
                    close: () => sink.close(),
                };
                const written = await (0,_store_layer_js__WEBPACK_IMPORTED_MODULE_6__/* .writeMembers */ .Jl)((0,_store_layer_js__WEBPACK_IMPORTED_MODULE_6__/* .unpackMembers */ .Cz)(job.members), job.settings, counted);
                if (written.size !== job.target.size) {
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_3__/* .UserError */ .yo(`a layer came out at ${written.size} bytes, not the ${job.target.size} planned: its store paths changed while it was being written`);
                }
                return written;
            }
            finally {
                await sink.close();
            }
        }
    }
}


/***/ }),

/***/ 7309:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Vj: () => (/* binding */ quietLogger),
/* harmony export */   fF: () => (/* binding */ onceEach),
/* harmony export */   ke: () => (/* binding */ Progress),
/* harmony export */   z3: () => (/* binding */ formatBytes)
/* harmony export */ });
const quietLogger = { info: () => { }, warning: () => { }, group: (_name, phase) => Promise.resolve(phase()) };
/** Says each distinct warning once: one failing cache says so once, not per layer. */
function onceEach(log) {
    const said = new Set();
    return {
        info: (m) => log.info(m),
        warning: (m) => {
            if (said.has(m))
                return;
            said.add(m);
            log.warning(m);
        },
        group: (name, phase) => log.group(name, phase),
    };
}
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
function formatBytes(n) {
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
        value /= 1024;
        unit++;
    }
    return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}
/**
 * Bytes done of a known total, said every few seconds while a long phase
 * runs, so that a slow build never looks hung.
 */
class Progress {
    log;
    what;
    total;
    done = 0;
    said = -1;
    timer;
    constructor(log, what, total, everyMs = 5000) {
        this.log = log;
        this.what = what;
        this.total = total;
        this.timer = setInterval(() => this.report(), everyMs);
        this.timer.unref();
    }
    add(n) {
        this.done += n;
    }
    end() {
        clearInterval(this.timer);
    }
    report() {
        if (this.done === this.said)
            return;
        this.said = this.done;
        const percent = this.total > 0 ? ` (${Math.min(100, Math.floor((100 * this.done) / this.total))}%)` : '';
        this.log.info(`${this.what}: ${formatBytes(this.done)} of ${formatBytes(this.total)}${percent}`);
    }
}


/***/ }),

/***/ 5214:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BX: () => (/* binding */ resolveStorePath),
/* harmony export */   FC: () => (/* binding */ storePathsIn),
/* harmony export */   jV: () => (/* binding */ storePathHash),
/* harmony export */   rT: () => (/* binding */ storeDir)
/* harmony export */ });
/* unused harmony export isStorePath */
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(1455);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(452);



/** Where Nix keeps its store; Nix itself honours NIX_STORE_DIR the same way. */
function storeDir() {
    return node_path__WEBPACK_IMPORTED_MODULE_1__.resolve(process.env['NIX_STORE_DIR'] ?? '/nix/store');
}
// Nix's base-32 alphabet omits e, o, u and t; names use a small fixed set.
const HASH = '[0-9a-df-np-sv-z]{32}';
const NAME = '[A-Za-z0-9+\\-_?=][A-Za-z0-9+\\-._?=]*';
const BASENAME_RE = new RegExp(`^${HASH}-${NAME}$`);
/** True when `p` is `<store>/<hash>-<name>` exactly. */
function isStorePath(p, store = storeDir()) {
    return node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(p) === store && BASENAME_RE.test(node_path__WEBPACK_IMPORTED_MODULE_1__.basename(p));
}
/** The `<hash>` part of a store path, the stable identity of its contents. */
function storePathHash(p) {
    return node_path__WEBPACK_IMPORTED_MODULE_1__.basename(p).slice(0, 32);
}
/** Every store path mentioned anywhere inside a string (e.g. `PATH=…:…`). */
function storePathsIn(text, store = storeDir()) {
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
async function resolveStorePath(raw, store = storeDir()) {
    const arg = (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .show */ .WU)(raw);
    let p = node_path__WEBPACK_IMPORTED_MODULE_1__.resolve(raw);
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
        if (p === store)
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`contents ${arg} is the Nix store itself, not a store path`);
        if (isStorePath(p, store)) {
            await statOrFail(p, raw);
            return p;
        }
        const st = await statOrFail(p, raw);
        if (!st.isSymbolicLink()) {
            if (p.startsWith(`${store}/`)) {
                const top = p.slice(store.length + 1).split('/')[0] ?? '';
                if (isStorePath(`${store}/${top}`, store) && p.includes('/', store.length + 1)) {
                    throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`contents ${arg} is inside store path ${store}/${top}; name the store path itself`);
                }
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`contents ${arg} is not a valid store path`);
            }
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`contents ${arg} is not in the Nix store (${store})`);
        }
        const target = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.readlink)(p);
        p = node_path__WEBPACK_IMPORTED_MODULE_1__.resolve(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.realpath)(node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(p)), target);
    }
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`contents ${arg}: too many levels of symbolic links (a symlink loop?)`);
}
async function statOrFail(p, raw) {
    const arg = (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .show */ .WU)(raw);
    try {
        return await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_0__.lstat)(p);
    }
    catch (e) {
        const code = (0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .errnoCode */ .UK)(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`contents ${arg} does not exist${p === node_path__WEBPACK_IMPORTED_MODULE_1__.resolve(raw) ? '' : ` (it leads to ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .show */ .WU)(p)})`}`);
        }
        if (code === 'ELOOP')
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`contents ${arg}: too many levels of symbolic links (a symlink loop?)`);
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`contents ${arg} cannot be read: ${code ?? String(e)}`);
    }
}


/***/ }),

/***/ 3461:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Ac: () => (/* binding */ parseOptions)
});

// UNUSED EXPORTS: DEFAULT_CREATED, DEFAULT_LAYERING, DEFAULT_MAX_LAYERS, MAX_LAYERS_LIMIT

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./lib/errors.js
var errors = __nccwpck_require__(452);
;// CONCATENATED MODULE: ./lib/image/validate-config.js

const stringList = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'must be a list of strings';
const string = (v) => (typeof v === 'string' ? undefined : 'must be a string');
const int64 = (v) => (Number.isSafeInteger(v) ? undefined : 'must be a whole number');
const emptyObjects = (v) => isObject(v) && Object.values(v).every(isObject) ? undefined : 'must be an object whose values are objects ({})';
/** The fields of the OCI image spec's `config`, plus the ones Docker adds. */
const FIELDS = {
    User: string,
    WorkingDir: string,
    StopSignal: string,
    Cmd: stringList,
    Entrypoint: stringList,
    Shell: stringList,
    OnBuild: stringList,
    Env: (v) => stringList(v) ??
        (v.every((e) => /^[^=]+=/.test(e)) ? undefined : 'must be a list of "NAME=value" strings'),
    ExposedPorts: (v) => emptyObjects(v) ??
        (Object.keys(v).every((p) => /^\d{1,5}(-\d{1,5})?(\/(tcp|udp|sctp))?$/.test(p))
            ? undefined
            : 'keys must be ports such as "8080/tcp"'),
    Volumes: emptyObjects,
    Labels: (v) => isObject(v) && Object.values(v).every((x) => typeof x === 'string') ? undefined : 'must be an object of strings',
    Healthcheck: (v) => {
        if (!isObject(v))
            return 'must be an object';
        if (Object.hasOwn(v, 'Test') && stringList(v['Test']))
            return 'Test must be a list of strings';
        for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries']) {
            if (Object.hasOwn(v, k) && int64(v[k]) !== undefined)
                return `${k} must be a whole number`;
        }
        return undefined;
    },
    ArgsEscaped: (v) => (typeof v === 'boolean' ? undefined : 'must be true or false'),
    StopTimeout: int64,
};
/** Parses and checks the image `config` JSON; every problem names the field. */
function parseContainerConfig(text, what = 'config') {
    let value;
    try {
        value = JSON.parse(text);
    }
    catch (e) {
        throw new errors/* UserError */.yo(`${what} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isObject(value))
        throw new errors/* UserError */.yo(`${what} must be a JSON object, got ${describe(value)}`);
    for (const [key, field] of Object.entries(value)) {
        // Own keys only: "__proto__" or "toString" are not fields.
        const check = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
        if (check === undefined) {
            throw new errors/* UserError */.yo(`${what} has an unknown field "${key}"; known fields: ${Object.keys(FIELDS).sort().join(', ')}`);
        }
        const problem = check(field);
        if (problem !== undefined)
            throw new errors/* UserError */.yo(`${what}.${key} ${problem}, got ${JSON.stringify(field)}`);
    }
    return value;
}
function isObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function describe(v) {
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return 'a list';
    return `a ${typeof v}`;
}

// EXTERNAL MODULE: ./lib/layer/tar-header.js
var tar_header = __nccwpck_require__(3198);
// EXTERNAL MODULE: ./lib/plan/hints.js
var hints = __nccwpck_require__(765);
// EXTERNAL MODULE: ./lib/plan/layers.js + 1 modules
var plan_layers = __nccwpck_require__(9227);
;// CONCATENATED MODULE: ./lib/options.js








const MAX_LAYERS_LIMIT = 125;
const DEFAULT_MAX_LAYERS = 100;
const DEFAULT_CREATED = '1970-01-01T00:00:01Z';
const DEFAULT_LAYERING = 'size';
// The OCI distribution spec's reference grammar (docker/distribution's
// reference package): an optional registry host, then path components.
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const HOST = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?';
const NAME_RE = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const CREATED_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/;
/** GOARCH values that image configs use. */
const ARCHITECTURES = ['386', 'amd64', 'arm', 'arm64', 'loong64', 'mips', 'mips64', 'mips64le', 'mipsle', 'ppc64', 'ppc64le', 'riscv64', 's390x'];
const NODE_TO_GOARCH = { x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64' };
async function parseOptions(raw, env = process.env) {
    const name = parseName(raw.name);
    const tag = raw.tag === undefined || raw.tag === '' ? undefined : parseTag(raw.tag);
    const config = await parseConfig(raw.config, raw.configFromFile ?? true);
    const contents = raw.contents.map((c, i) => {
        if (c.trim() === '')
            throw new errors/* UserError */.yo(`contents #${i + 1} is empty`);
        return c;
    });
    return {
        name,
        tag,
        contents,
        config,
        maxLayers: parseMaxLayers(raw.maxLayers),
        created: parseCreated(raw.created),
        architecture: parseArchitecture(raw.architecture),
        output: parseOutput(raw.output, name),
        cache: parseCache(raw, env),
        fromImage: raw.fromImage === undefined || raw.fromImage.trim() === '' ? undefined : external_node_path_.resolve(raw.fromImage),
        extraCommands: raw.extraCommands === undefined || raw.extraCommands.trim() === '' ? undefined : raw.extraCommands,
        includeNixDB: raw.includeNixDB ?? false,
        storeLayerSettings: parseTarSettings(raw),
        layering: parseLayering(raw.layering),
        groupPopular: parseGroupPopular(raw.groupPopular),
        hints: (0,hints/* parseHints */.i)(raw.hints ?? []),
        explain: raw.explain ?? false,
        concurrency: (0,external_node_os_.availableParallelism)(),
    };
}
function parseOutput(raw, name) {
    if (raw === undefined || raw === '')
        return external_node_path_.resolve(`${name.replace(/[/:]/g, '-')}.tar`);
    if (raw.endsWith('/'))
        throw new errors/* UserError */.yo(`output ${raw} names a directory; give a file name`);
    return external_node_path_.resolve(raw);
}
function parseName(raw) {
    if (raw === undefined || raw === '')
        throw new errors/* UserError */.yo('name is required');
    // nixpkgs lowercases image names; the reference grammar then applies.
    const name = raw.toLowerCase();
    if (!NAME_RE.test(name) || name.length > 255) {
        throw new errors/* UserError */.yo(`name "${raw}" is not a valid image name (lowercase letters, digits, and . _ - separators, optionally host/ first)`);
    }
    return name;
}
function parseTag(raw) {
    if (!TAG_RE.test(raw))
        throw new errors/* UserError */.yo(`tag "${raw}" is not a valid tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)`);
    return raw;
}
async function parseConfig(raw, fromFile) {
    if (raw === undefined || raw.trim() === '')
        return {};
    if (!fromFile || !raw.startsWith('@'))
        return parseContainerConfig(raw);
    const file = raw.slice(1);
    let text;
    try {
        text = await (0,promises_.readFile)(file, 'utf8');
    }
    catch (e) {
        throw new errors/* UserError */.yo(`config file ${file} cannot be read: ${(0,errors/* errnoCode */.UK)(e) ?? String(e)}`);
    }
    return parseContainerConfig(text, `config file ${file}`);
}
function parseMaxLayers(raw) {
    if (raw === undefined || raw.trim() === '')
        return DEFAULT_MAX_LAYERS;
    const text = raw.trim();
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < 2 || n > MAX_LAYERS_LIMIT) {
        throw new errors/* UserError */.yo(`maxLayers "${raw}" must be a whole number from 2 to ${MAX_LAYERS_LIMIT}`);
    }
    return n;
}
function parseLayering(raw) {
    if (raw === undefined || raw.trim() === '')
        return DEFAULT_LAYERING;
    const value = raw.trim();
    if (!plan_layers/* LAYERINGS */.z.includes(value))
        throw new errors/* UserError */.yo(`layering "${raw}" must be one of ${plan_layers/* LAYERINGS */.z.join(', ')}`);
    return value;
}
function parseGroupPopular(raw) {
    if (raw === undefined || raw.trim() === '')
        return 0;
    const n = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n > 100_000)
        throw new errors/* UserError */.yo(`groupPopular "${raw}" must be a whole number (0 for no grouping)`);
    return n;
}
const ID_LIMIT = 2 ** 32 - 1;
function parseTarSettings(raw) {
    const id = (what, value, fallback) => {
        if (value === undefined || value.trim() === '')
            return fallback;
        const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
        if (!Number.isSafeInteger(n) || n > ID_LIMIT)
            throw new errors/* UserError */.yo(`${what} "${value}" must be a whole number from 0 to ${ID_LIMIT}`);
        return n;
    };
    const owner = (what, value, fallback) => {
        if (value === undefined)
            return fallback;
        // Control characters would make tar headers that tools print wrongly.
        if (value.length > 255 || [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
            throw new errors/* UserError */.yo(`${what} ${JSON.stringify(value)} must be up to 255 characters with no control characters`);
        return value;
    };
    return {
        uid: id('uid', raw.uid, tar_header/* DEFAULT_TAR_SETTINGS */.yL.uid),
        gid: id('gid', raw.gid, tar_header/* DEFAULT_TAR_SETTINGS */.yL.gid),
        uname: owner('uname', raw.uname, tar_header/* DEFAULT_TAR_SETTINGS */.yL.uname),
        gname: owner('gname', raw.gname, tar_header/* DEFAULT_TAR_SETTINGS */.yL.gname),
        mtime: parseMtime(raw.mtime),
    };
}
/** Seconds since the epoch, or an RFC 3339 time; never "now", which would make every layer new. */
function parseMtime(raw) {
    if (raw === undefined || raw.trim() === '')
        return tar_header/* DEFAULT_TAR_SETTINGS */.yL.mtime;
    const text = raw.trim();
    if (/^\d+$/.test(text)) {
        const n = Number(text);
        if (Number.isSafeInteger(n))
            return n;
    }
    else if (text !== 'now') {
        const date = rfc3339(text.toUpperCase());
        if (date !== undefined && !Number.isNaN(date.getTime()) && date.getTime() >= 0)
            return Math.floor(date.getTime() / 1000);
    }
    const why = text === 'now' ? ': "now" would give every layer new bytes on every run, defeating the cache' : '';
    throw new errors/* UserError */.yo(`mtime "${raw}" must be whole seconds since 1970 or an RFC 3339 time such as 2024-01-01T00:00:00Z${why}`);
}
function parseCreated(raw) {
    if (raw === undefined || raw === '')
        return DEFAULT_CREATED;
    const date = raw === 'now' ? new Date() : rfc3339(raw.toUpperCase());
    if (date === undefined || Number.isNaN(date.getTime())) {
        throw new errors/* UserError */.yo(`created "${raw}" must be "now" or an RFC 3339 time with a zone, such as 2024-01-01T00:00:00Z`);
    }
    // Normalised to UTC so the same instant gives the same bytes in any TZ.
    const iso = date.toISOString();
    return raw === 'now' || iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}
/** RFC 3339 with its fields in range: Date would roll 02-30 over to 03-01. */
function rfc3339(s) {
    const m = CREATED_RE.exec(s);
    if (m === null)
        return undefined;
    const [year, month, day, hour, minute, second, offH, offM] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
    const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const inRange = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth &&
        hour <= 23 && minute <= 59 && second <= 59 && offH <= 23 && offM <= 59;
    return inRange ? new Date(s) : undefined;
}
function parseArchitecture(raw) {
    if (raw === undefined || raw === '') {
        const arch = NODE_TO_GOARCH[process.arch];
        if (arch === undefined)
            throw new errors/* UserError */.yo(`cannot tell the image architecture for ${process.arch}; set architecture`);
        return arch;
    }
    if (!ARCHITECTURES.includes(raw))
        throw new errors/* UserError */.yo(`architecture "${raw}" is not one of ${ARCHITECTURES.join(', ')}`);
    return raw;
}
function parseCache(raw, env) {
    if (raw.noCache) {
        if (raw.cacheDir !== undefined)
            throw new errors/* UserError */.yo('cache-dir and no-cache cannot be used together');
        return { kind: 'none' };
    }
    if (raw.actionsCache) {
        // Entries unpack under RUNNER_TEMP; the path is part of each entry's version.
        return { kind: 'actions', dir: external_node_path_.join(env['RUNNER_TEMP'] || external_node_path_.join((0,external_node_os_.homedir)(), '.cache'), 'layered-image-cache') };
    }
    const base = env['XDG_CACHE_HOME'] || external_node_path_.join((0,external_node_os_.homedir)(), '.cache');
    return { kind: 'directory', dir: external_node_path_.resolve(raw.cacheDir ?? external_node_path_.join(base, 'layered-image')) };
}


/***/ }),

/***/ 7928:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   n: () => (/* binding */ formatPlan)
/* harmony export */ });
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7309);

function formatPlan(plan) {
    const lines = [`${plan.name}: ${plan.layers.length} layers (maxLayers ${plan.maxLayers}), layering ${plan.layering}`];
    plan.layers.forEach((layer, i) => {
        lines.push(`${String(i + 1).padStart(4)}  ${(0,_log_js__WEBPACK_IMPORTED_MODULE_0__/* .formatBytes */ .z3)(layer.narSize).padStart(10)}  ${layer.why}`);
        for (const p of layer.paths)
            lines.push(`${' '.repeat(18)}${p}`);
    });
    return `${lines.join('\n')}\n`;
}


/***/ }),

/***/ 765:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   J: () => (/* binding */ hintFor),
/* harmony export */   i: () => (/* binding */ parseHints)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(452);


const FORM = /^(deeper|top):(.+)$/;
function parseHints(raw) {
    return raw.map((text) => {
        const m = FORM.exec(text.trim());
        const pattern = m?.[2]?.trim() ?? '';
        if (m === null || pattern === '' || pattern.includes('/') || /\s/.test(pattern)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`hint "${text}" must be deeper:PATTERN or top:PATTERN, PATTERN a store path name such as glibc-* (no / or spaces)`);
        }
        const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
        return { kind: m[1], pattern, matches: (p) => re.test(nameOf(p)) };
    });
}
/** `/nix/store/<hash>-glibc-2.39` → `glibc-2.39` */
function nameOf(storePath) {
    const base = node_path__WEBPACK_IMPORTED_MODULE_0__.basename(storePath);
    const dash = base.indexOf('-');
    return dash === -1 ? base : base.slice(dash + 1);
}
/** The first hint that matches, if any: the first one given wins. */
function hintFor(hints, storePath) {
    return hints.find((h) => h.matches(storePath));
}


/***/ }),

/***/ 9227:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  z: () => (/* binding */ LAYERINGS),
  v: () => (/* binding */ planStoreLayers)
});

// EXTERNAL MODULE: ./lib/log.js
var log = __nccwpck_require__(7309);
// EXTERNAL MODULE: ./lib/plan/hints.js
var hints = __nccwpck_require__(765);
;// CONCATENATED MODULE: ./lib/plan/popularity.js
/** `references` maps every path of the closure to its direct references. */
function orderByPopularity(references) {
    const nodes = [...references.keys()].sort();
    const index = new Map(nodes.map((p, i) => [p, i]));
    const children = nodes.map((p) => (references.get(p) ?? []).filter((r) => r !== p && index.has(r)).map((r) => index.get(r)));
    const indegree = new Array(nodes.length).fill(0);
    for (const cs of children)
        for (const c of cs)
            indegree[c] += 1;
    // Kahn's algorithm: parents before children, starting from the roots
    // (paths nothing else refers to), like nixpkgs' find_roots.
    const occ = new Array(nodes.length).fill(0n);
    const words = Math.ceil(nodes.length / 32);
    const ancestors = nodes.map(() => new Uint32Array(words));
    const queue = [];
    const remaining = [...indegree];
    nodes.forEach((_, i) => {
        if (indegree[i] === 0) {
            occ[i] = 1n;
            queue.push(i);
        }
    });
    const visited = [];
    for (let head = 0; head < queue.length; head++) {
        const v = queue[head];
        visited.push(v);
        const av = ancestors[v];
        for (const c of children[v]) {
            occ[c] += occ[v];
            const ac = ancestors[c];
            for (let w = 0; w < words; w++)
                ac[w] |= av[w];
            ac[v >>> 5] |= 1 << (v & 31);
            if (--remaining[c] === 0)
                queue.push(c);
        }
    }
    const popularity = new Map();
    for (const v of visited) {
        let pop = occ[v];
        const av = ancestors[v];
        for (let w = 0; w < words; w++) {
            let bits = av[w];
            while (bits !== 0) {
                const low = bits & -bits;
                pop += occ[w * 32 + 31 - Math.clz32(low)];
                bits ^= low;
            }
        }
        popularity.set(nodes[v], pop);
    }
    const ranked = [...popularity.keys()].sort((a, b) => {
        const pa = popularity.get(a);
        const pb = popularity.get(b);
        if (pa !== pb)
            return pa > pb ? -1 : 1;
        return compareStrings(packageName(a), packageName(b));
    });
    // Paths on a reference cycle have no root above them; Nix does not create
    // such cycles, but if one appears its paths go last rather than vanish.
    const unranked = nodes.filter((p) => !popularity.has(p));
    return { order: [...ranked, ...unranked], popularity };
}
/** nixpkgs' tie-break key: the name first, the hash part last. */
function packageName(storePath) {
    const parts = storePath.split('-');
    const first = parts.shift();
    return [...parts, first].join('-');
}
function compareStrings(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
const IMAGE = '<image>';
const CONFIG = '<config>';
const CONTENTS = '<contents>';
/**
 * The popularity order of an image's store paths as nixpkgs computes it:
 * streamLayeredImage ranks the closure of one file that refers to the config
 * JSON (which refers to the config's store paths) and to the customisation
 * layer (which refers to every content). Those three nodes take part in the
 * counting and are then dropped, so contents that refer to one another, or
 * paths reached from both sides, rank exactly as they do in nixpkgs.
 */
function imagePopularityOrder(references, roots) {
    const graph = new Map(references);
    graph.set(IMAGE, [CONFIG, CONTENTS]);
    graph.set(CONFIG, [...roots.config]);
    graph.set(CONTENTS, [...roots.contents]);
    return orderByPopularity(graph).order.filter((p) => p !== IMAGE && p !== CONFIG && p !== CONTENTS);
}

;// CONCATENATED MODULE: ./lib/plan/layers.js



const LAYERINGS = ['popularity', 'size'];
/**
 * Groups the closure into at most `layers` store layers, lowest first.
 *
 * Both strategies rank paths by nixpkgs' popularity, hints applied, and
 * give each path its own layer while there are layers enough. Beyond that:
 * - `popularity` (nixpkgs' buildLayeredImage): the most popular paths get a
 *   layer each and one last layer holds all the rest;
 * - `size`: the largest paths get a layer each; every other path joins the
 *   layer of a large path that depends on it (it can only change when that
 *   path changes too, so it costs that layer nothing), the few used by none
 *   share a layer, and the image's own paths (contents and config, which
 *   change with every release of the app) go on top, alone.
 * Layers holding several paths list them sorted, so the same set of paths
 * always gives the same bytes, whatever the ranking.
 */
function planStoreLayers(input) {
    const budget = Math.max(1, input.layers);
    const exclude = input.exclude ?? new Set();
    const ranked = imagePopularityOrder(input.references, input.roots).filter((p) => !exclude.has(p));
    const hinted = new Map(ranked.map((p) => [p, (0,hints/* hintFor */.J)(input.hints, p)]));
    // Stable: hinted paths keep their popularity order among themselves.
    const order = [
        ...ranked.filter((p) => hinted.get(p)?.kind === 'deeper'),
        ...ranked.filter((p) => hinted.get(p) === undefined),
        ...ranked.filter((p) => hinted.get(p)?.kind === 'top'),
    ];
    if (order.length === 0)
        return [];
    const rank = new Map(order.map((p, i) => [p, i + 1]));
    const reason = (p, fallback) => {
        const hint = hinted.get(p);
        return hint === undefined ? fallback : `hint ${hint.kind}:${hint.pattern}`;
    };
    if (order.length <= budget)
        return order.map((p) => ({ paths: [p], why: reason(p, `popularity rank ${rank.get(p)}`) }));
    if (budget === 1)
        return [{ paths: [...order].sort(), why: `all ${order.length} paths: maxLayers leaves one store layer` }];
    const plan = [];
    let rest = order;
    let left = budget;
    if (input.groupPopular > 1) {
        const group = order.slice(0, input.groupPopular);
        plan.push({ paths: [...group].sort(), why: `the ${group.length} most popular paths, grouped (groupPopular ${input.groupPopular})` });
        rest = order.slice(group.length);
        left -= 1;
    }
    if (rest.length === 0)
        return plan;
    if (rest.length <= left)
        return [...plan, ...rest.map((p) => ({ paths: [p], why: reason(p, `popularity rank ${rank.get(p)}`) }))];
    if (left === 1)
        return [...plan, { paths: [...rest].sort(), why: `the other ${rest.length} paths: no layers left` }];
    const tail = input.layering === 'popularity' ? byPopularity(rest, left, rank, reason) : bySize(rest, left, input, hinted, rank, reason);
    return [...plan, ...tail];
}
function byPopularity(order, layers, rank, reason) {
    const singles = order.slice(0, layers - 1).map((p) => ({ paths: [p], why: reason(p, `popularity rank ${rank.get(p)}`) }));
    const overflow = order.slice(layers - 1);
    return [...singles, { paths: [...overflow].sort(), why: `the ${overflow.length} least popular paths share the last store layer` }];
}
function bySize(order, layers, input, hinted, rank, reason) {
    const size = (p) => input.sizes.get(p) ?? 0;
    const rootSet = new Set([...input.roots.contents, ...input.roots.config]);
    const top = order.filter((p) => rootSet.has(p) || hinted.get(p)?.kind === 'top');
    const topSet = new Set(top);
    const others = order.filter((p) => !topSet.has(p));
    const topLayer = () => top.length === 0 ? [] : [{ paths: [...top].sort(), why: `the image's own paths (contents and config${top.some((p) => !rootSet.has(p)) ? ', and hint top' : ''}): they change with every release, so they go on top, alone` }];
    // Candidates for a layer of their own: hinted deeper first, then the largest.
    const candidates = [...others].sort((a, b) => Number(hinted.get(b)?.kind === 'deeper') - Number(hinted.get(a)?.kind === 'deeper') ||
        size(b) - size(a) ||
        rank.get(a) - rank.get(b));
    const closures = new Map();
    const closureOf = (p) => {
        let c = closures.get(p);
        if (c === undefined) {
            c = requisites(p, input.references);
            closures.set(p, c);
        }
        return c;
    };
    // Every layer left but the top one for large paths; one fewer when some
    // paths are used by none of them and need a shared layer.
    const slots = layers - (top.length > 0 ? 1 : 0);
    for (const anchors of [slots, slots - 1]) {
        if (anchors < 1)
            continue;
        const chosen = candidates.slice(0, anchors);
        const chosenSet = new Set(chosen);
        const joined = new Map(chosen.map((a) => [a, []]));
        const leftovers = [];
        for (const p of others) {
            if (chosenSet.has(p))
                continue;
            // Of the large paths that depend on p, the one with the smallest
            // closure: it changes least often without p.
            const users = chosen.filter((a) => closureOf(a).has(p));
            users.sort((a, b) => closureOf(a).size - closureOf(b).size || size(b) - size(a) || rank.get(a) - rank.get(b));
            const user = users[0];
            if (user === undefined)
                leftovers.push(p);
            else
                joined.get(user)?.push(p);
        }
        if (leftovers.length > 0 && anchors === slots)
            continue;
        const own = [...chosen]
            .sort((a, b) => rank.get(a) - rank.get(b))
            .map((a) => {
            const extra = joined.get(a) ?? [];
            const base = reason(a, `${(0,log/* formatBytes */.z3)(size(a))}: one of the ${anchors} largest paths`);
            return { paths: [a, ...extra].sort(), why: extra.length === 0 ? base : `${base}, and ${extra.length} smaller path(s) it depends on` };
        });
        const shared = leftovers.length === 0 ? [] : [{ paths: leftovers.sort(), why: `${leftovers.length} smaller paths that no larger path uses` }];
        return [...own, ...shared, ...topLayer()];
    }
    // One layer for everything below the top.
    return [{ paths: [...others].sort(), why: `the other ${others.length} paths: no layers left` }, ...topLayer()];
}
/** A path and everything it refers to, transitively. */
function requisites(root, references) {
    const seen = new Set([root]);
    const stack = [root];
    for (let p = stack.pop(); p !== undefined; p = stack.pop()) {
        for (const r of references.get(p) ?? []) {
            if (!seen.has(r)) {
                seen.add(r);
                stack.push(r);
            }
        }
    }
    return seen;
}


/***/ }),

/***/ 8896:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   BR: () => (/* binding */ cleanUpOnSignals),
/* harmony export */   OW: () => (/* binding */ untrackTemporary),
/* harmony export */   hN: () => (/* binding */ trackTemporary)
/* harmony export */ });
/* unused harmony export removeAllTemporaries */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);

/**
 * Temporary files and folders of builds under way. A build removes its own
 * when it ends; entry points call `removeAllTemporaries` on SIGINT/SIGTERM,
 * when no `finally` runs, so a cancelled build leaves nothing behind.
 */
const live = new Set();
function trackTemporary(p) {
    live.add(p);
}
function untrackTemporary(p) {
    live.delete(p);
}
function removeAllTemporaries() {
    for (const p of live)
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync)(p, { recursive: true, force: true });
    live.clear();
}
/** Installs the signal handler once; exits as a killed process would. */
function cleanUpOnSignals() {
    for (const signal of ['SIGINT', 'SIGTERM']) {
        process.once(signal, () => {
            removeAllTemporaries();
            process.exit(signal === 'SIGINT' ? 130 : 143);
        });
    }
}


/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
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
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat */
/******/ 
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = new URL('.', import.meta.url).pathname.slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(9069);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ var __webpack_exports__main = __webpack_exports__.i;
/******/ export { __webpack_exports__main as main };
/******/ 
