"""Turn engine decisions into the contract's JSON, with ETags, cache headers and a bounded answer cache."""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl

import orjson

from app.dataset.schema import TranslationRecord
from app.policy import Decision, ParsedQuery, QueryError, Snapshot, answer, parse_query, rules_apply
from app.policy.freshness import with_freshness
from app.policy.index import bounded_memo
from app.policy.model import MemoKind, key_rule_ids
from app.policy.wording import DEFAULT_LANGUAGE, ENGLISH, Wording
from app.serving.cache import BoundedCache, SnapshotStore
from app.serving.caching import dumps, max_age, next_midnight
from app.serving.documents import check_result, envelope, render, sources_json
from app.serving.encoding import MIN_BYTES, choose, compress, variant_etag
from app.serving.languages import from_header, negotiate
from app.serving.no_rule import no_rule_check, no_rule_decision
from app.serving.plain_checks import plain_checks
from app.serving.problems import PROBLEM_JSON, Problem, problem_bytes
from app.serving.rule_checks import rule_check

JSON = "application/json"
MAX_AGE = 300  # seconds a client may reuse an answer before revalidating with its ETag
# Bytes an entry costs beyond its body and query string: the answer, its headers, key and slot (measured 450-780).
ENTRY_OVERHEAD = 900
BATCH_DIGEST_BYTES = 32  # a batch's key holds the digest of its body (BLAKE2b), not the body


_GENERATIONS = itertools.count()
ENCODED_SOURCES = MemoKind("encoded sources", rule_ids=key_rule_ids)  # keyed by the rules' ids


def entry_cost(nbytes: int) -> int:
    """Return what an answer cache entry of `nbytes` (body and key) costs in resident memory.

    Entries of many sizes evicted in LRU order leave holes the allocator cannot hand back: `make fuzz-memory`
    measured resident memory at 1.27x the bytes held, so each entry counts a quarter more, and the cache stays
    within TRAINWATCH_ANSWER_CACHE_MB as resident memory, not only as bytes.
    """
    return (nbytes + ENTRY_OVERHEAD) * 5 // 4


QUERY_FIELDS = (
    "category",
    "country",
    "as_of",
    "age",
    "objected",
    "objected_on",
    "posted_on",
    "opted_in",
    "opted_in_on",
)


# Not frozen: an answer is rebuilt from its packed tuple on every cache hit, and a frozen dataclass's __init__
# costs twice as much. Nothing changes an answer once made.
@dataclass(slots=True)
class Answer:
    """A finished HTTP answer: status, body bytes and headers (ETag and caching for successes)."""

    status: int
    body: bytes
    media_type: str
    etag: str | None = None
    fresh_until: float | None = None  # for answers about "today": the next midnight UTC, as a timestamp
    head: tuple[tuple[bytes, bytes], ...] = ()  # the headers that never change, built once
    vary: tuple[str, ...] = ()  # the request headers its representation depends on
    fixed: int = 0  # which shared tail of `head` (_FIXED_LIST) follows its ETag and Content-Length

    @classmethod
    def build(
        cls,
        status: int,
        body: bytes,
        media_type: str,
        etag: str | None = None,
        today: date | None = None,
        lang: str = DEFAULT_LANGUAGE,
        by_header: bool = False,
    ) -> Answer:
        """Return an answer with its fixed headers prepared; `today` marks an answer that expires at midnight.

        `lang` is the language of its words; `by_header` says Accept-Language chose it, so caches must vary by it.
        """
        vary = VARIES[(2 if status == 200 and len(body) >= MIN_BYTES else 0) + by_header]
        fresh_until = next_midnight(today) if today is not None else None
        fixed = _fixed_head(media_type, lang, vary)
        return cls(status, body, media_type, etag, fresh_until, _head(body, etag, fixed), vary, fixed)

    def packed(self) -> tuple[Any, ...]:
        """Return the answer as one flat tuple of bytes, strings and numbers, as the answer cache keeps it.

        The collector stops tracking a tuple of such values at its first young collection, so cached answers never
        reach the older generations. Answer objects (or tuples in tuples) it keeps tracking: with the cache full,
        insertions and evictions balance, young collections come rarely, and each walked tens of thousands of
        cached answers (13-35 ms pauses, the (c) p99). The shared parts travel as numbers: the vary tuple's place
        in VARIES and the fixed headers' in _FIXED_LIST.
        """
        length = self.head[0][1] if self.etag is None else self.head[1][1]
        vary = VARIES.index(self.vary)
        return (self.status, self.body, self.media_type, self.etag, self.fresh_until, vary, self.fixed, length)

    @classmethod
    def unpacked(cls, packed: tuple[Any, ...]) -> Answer:
        """Return the answer a packed() tuple holds."""
        status, body, media_type, etag, fresh_until, vary, fixed, length = packed
        tail = _FIXED_LIST[fixed]
        if etag is None:
            head = ((b"content-length", length), *tail)
        else:
            head = ((b"etag", etag.encode()), (b"content-length", length), *tail)
        return cls(status, body, media_type, etag, fresh_until, head, VARIES[vary], fixed)

    def encoded(self, encoding: str) -> Answer:
        """Return this answer with its body compressed (its own ETag, Content-Encoding and length)."""
        body = compress(self.body, encoding)
        etag = variant_etag(self.etag, encoding) if self.etag is not None else None
        lang = dict(self.head)[b"content-language"].decode()
        fixed = _fixed_head(self.media_type, lang, self.vary, encoding)
        return Answer(
            self.status, body, self.media_type, etag, self.fresh_until, _head(body, etag, fixed), self.vary, fixed
        )

    def cache_control(self, now: float) -> tuple[bytes, bytes]:
        """Return the Cache-Control header as of now (a timestamp): never fresh past midnight for "today"; an answer
        without an ETag (a problem) is never stored."""
        if self.etag is None:
            return _NO_STORE
        return (b"cache-control", b"public, max-age=%d" % max_age(MAX_AGE, self.fresh_until, now))


_NO_STORE = (b"cache-control", b"no-store")
# Every vary an answer can have: by the encoding when it is large enough to compress, and by Accept-Language when
# that header chose its language (Answer.build picks by those two bits).
VARIES: tuple[tuple[str, ...], ...] = (
    (),
    ("Accept-Language",),
    ("Accept-Encoding",),
    ("Accept-Language", "Accept-Encoding"),
)


def _fixed_head(media_type: str, lang: str, vary: tuple[str, ...], encoding: str | None = None) -> int:
    """Return the number (in _FIXED_LIST) of the headers every answer of this kind shares, making them once."""
    key = (media_type, lang, vary, encoding)
    found = _FIXED_CODES.get(key)
    if found is None:
        head = [(b"content-type", media_type.encode()), (b"content-language", lang.encode())]
        if encoding is not None:
            head.append((b"content-encoding", encoding.encode()))
        if vary:
            head.append((b"vary", ", ".join(vary).encode()))
        # Few combinations exist (media types, languages, encodings, what answers vary by): bounded by them.
        with _FIXED_LOCK:
            found = _FIXED_CODES.get(key)
            if found is None:
                _FIXED_LIST.append(tuple(head))
                found = _FIXED_CODES[key] = len(_FIXED_LIST) - 1
    return found


def _head(body: bytes, etag: str | None, fixed: int) -> tuple[tuple[bytes, bytes], ...]:
    length = (b"content-length", b"%d" % len(body))
    if etag is None:
        return (length, *_FIXED_LIST[fixed])
    return ((b"etag", etag.encode()), length, *_FIXED_LIST[fixed])


_FIXED_CODES: dict[tuple[str, str, tuple[str, ...], str | None], int] = {}
_FIXED_LIST: list[tuple[tuple[bytes, bytes], ...]] = []
_FIXED_LOCK = threading.Lock()


def utc_today() -> date:
    """Return today's date in UTC."""
    return datetime.now(UTC).date()


class AnswerService:
    """Answers decision questions from the store's current snapshot, caching finished answers per snapshot."""

    def __init__(
        self,
        store: SnapshotStore,
        today: Callable[[], date] = utc_today,
        review_max_days: int = 365,
        translations: Mapping[tuple[str, str], TranslationRecord] | None = None,
    ) -> None:
        self.store = store
        self.today = today
        self.review_max_days = review_max_days
        self.translations = translations or {}
        self._wordings: dict[tuple[int, str], Wording] = {}
        # Names this service in the snapshot's memos of whole results, which rest on its settings and translations.
        self.generation = next(_GENERATIONS)

    def encoded_sources(self, snapshot: Snapshot) -> Callable[[Decision], orjson.Fragment]:
        """Return a function giving a decision's sources as JSON encoded once per set of rules cited (until one of
        them changes)."""
        # The longest part of most answers; kept with the snapshot's other bounded memos (a write's patched
        # snapshot keeps those of unchanged rules).
        memo = bounded_memo(snapshot, ENCODED_SOURCES)

        def encoded(d: Decision) -> orjson.Fragment:
            found = memo.get(d.rule_ids)
            if found is None:
                found = memo[d.rule_ids] = orjson.Fragment(dumps(sources_json(d.sources)))
            return found

        return encoded

    def decisions(self, snapshot: Snapshot, parsed: ParsedQuery, today: date) -> tuple[Decision, ...]:
        """Return the engine's decisions for a parsed question, with their freshness as of today."""
        return with_freshness(snapshot, answer(snapshot, parsed), today, self.review_max_days)

    def rendered(
        self,
        snapshot: Snapshot,
        parsed: ParsedQuery,
        today: date,
        wording: Wording,
        encoded_sources: Callable[[Decision], Any] | None = None,
    ) -> tuple[list[Any], list[bool]]:
        """Return a parsed question's decisions rendered (objects or encoded fragments), and whether each is stale."""
        part = no_rule_decision(snapshot, parsed, wording)
        if part is not None:
            return [part], []  # no rule in force: nothing reviewed, never stale
        decisions = self.decisions(snapshot, parsed, today)
        return render(decisions, wording, encoded_sources), [d.stale for d in decisions]

    def wording(self, snapshot: Snapshot, lang: str) -> Wording:
        """Return the wording of a language for a snapshot: its catalog, and the rule summaries translated from
        the rules' current English text (a translation of an older text is not used)."""
        if lang == DEFAULT_LANGUAGE:
            return ENGLISH
        key = (snapshot.revision, lang)
        found = self._wordings.get(key)
        if found is None:
            summaries = {
                rule_id: t.summary
                for (rule_id, t_lang), t in self.translations.items()
                if t_lang == lang and rule_id in snapshot.rules and snapshot.rules[rule_id].summary == t.en
            }
            found = Wording(lang, summaries)
            self._wordings = {k: v for k, v in self._wordings.items() if k[0] == snapshot.revision}
            self._wordings[key] = found
        return found

    def single(
        self,
        platform_id: str,
        query_string: bytes,
        path: str,
        accept_language: str | None = None,
        accept_encoding: str | None = None,
    ) -> Answer:
        """Answer GET /v1/platforms/{platform_id}/ai-training for the request's raw query string, compressed with
        the best encoding the client accepts."""
        snapshot = self.store.snapshot
        cache = self.store.answers
        today = self.today()
        # Without lang= the header chooses; the key holds the language it chooses, not the header's many spellings,
        # and likewise the encoding.
        chosen = from_header(accept_language) if accept_language else DEFAULT_LANGUAGE
        encoding = choose(accept_encoding)
        # Keyed on the raw bytes: a repeated question skips even the parsing of its query string. The revision
        # keeps an answer computed from a snapshot that was just replaced from ever being served after it.
        key = (snapshot.revision, platform_id, query_string, today, chosen, encoding)
        packed = cache.get(key)
        if packed is not None:
            return Answer.unpacked(packed)
        if encoding is None:
            try:
                params = query_params(query_string)
            except QueryError as exc:
                found = Answer.build(exc.status, problem_bytes(query_problem(exc), path), PROBLEM_JSON)
            else:
                found = self._compute(snapshot, platform_id, params, today, path, accept_language)
            cache.put(key, found.packed(), entry_cost(len(found.body) + len(query_string)))
            return found
        plain = self.single(platform_id, query_string, path, accept_language)
        if "Accept-Encoding" in plain.vary:
            found = plain.encoded(encoding)  # made once: later requests find it under their own key
            cache.put(key, found.packed(), entry_cost(len(found.body) + len(query_string)))
        else:  # too small to compress, or a problem: the key points at the plain answer for the next request
            found = plain
            cache.put(key, found.packed(), entry_cost(len(query_string)))
        return found

    def _compute(
        self,
        snapshot: Snapshot,
        platform_id: str,
        params: Mapping[str, str],
        today: date,
        path: str,
        accept_language: str | None = None,
    ) -> Answer:
        try:
            if accept_language is None and "lang" not in params:
                lang, by_header = DEFAULT_LANGUAGE, True  # what negotiate answers, without its parsing
            else:
                lang, by_header = negotiate(params.get("lang"), accept_language)
            parsed = parse_query(snapshot, platform_id, params, today)
        except QueryError as exc:
            return Answer.build(exc.status, problem_bytes(query_problem(exc), path), PROBLEM_JSON)
        parts, stale = self.rendered(
            snapshot, parsed, today, self.wording(snapshot, lang), self.encoded_sources(snapshot)
        )
        body = dumps(envelope(snapshot, parsed, parts))
        # Staleness can change with the day even for a fixed as_of, so the ETag covers it.
        return Answer.build(
            200,
            body,
            JSON,
            etag=etag(snapshot.revision, parsed, lang, stale),
            today=today if "as_of" not in params else None,
            lang=lang,
            by_header=by_header,
        )

    def batch(self, checks: list[Any], lang: str = DEFAULT_LANGUAGE, body: bytes | None = None) -> bytes:
        """Answer a batch: one result per check, in order, serialised.

        `body` is the request body the checks were read from: a batch sent again byte for byte, about the same
        snapshot, day and language, is answered from the cache from its third time on (see `_keep`).
        """
        snapshot = self.store.snapshot
        cache = self.store.answers
        today = self.today()
        key = found = None
        if body is not None:
            # The whole batch is one entry, not each check: keying, storing and evicting a thousand checks one by
            # one took 30 % of a never-seen batch's time, and a dashboard sends its batch again whole.
            digest = hashlib.blake2b(body, digest_size=BATCH_DIGEST_BYTES).digest()
            key = ("batch", snapshot.revision, digest, today, lang)
            found = cache.get(key)
            if found:  # an answer, not the mark of a batch seen once
                return found  # type: ignore[no-any-return]
        wording = self.wording(snapshot, lang)
        sources = self.encoded_sources(snapshot)
        plain = plain_checks(snapshot, today, wording)  # most checks: straight from their fields
        results: list[Any] = []
        for item in checks:
            got = plain(item)
            if got is None:
                results.append(self.check(snapshot, item, today, wording, sources))
            elif type(got) is ParsedQuery:  # a rule is in force
                results.append(self.rule_check(snapshot, got, today, wording, sources))
            else:
                results.append(got)
        try:
            # One encoder call for the whole batch (7 % less time than a call a check).
            out = orjson.dumps({"dataset_revision": snapshot.revision, "results": results})
        except TypeError:  # a problem quotes what orjson refuses (an unpaired surrogate): encoded check by check
            parts = b",".join(map(dumps, results))
            out = b'{"dataset_revision":%d,"results":[%b]}' % (snapshot.revision, parts)
        if key is not None:
            _keep(cache, key, out, seen_before=found is not None)
        return out

    def check(
        self,
        snapshot: Snapshot,
        check: Mapping[str, Any],
        today: date,
        wording: Wording = ENGLISH,
        encoded_sources: Callable[[Decision], Any] | None = None,
    ) -> dict[str, Any] | orjson.Fragment:
        """Answer one check of a batch: the decision with its platform, or a problem with its own status."""
        # An object, or already encoded where no rule is in force (no_rule_check); the batch encodes both alike.
        try:
            params = check_params(check)
            parsed = parse_query(snapshot, params.pop("platform"), params, today)
        except QueryError as exc:
            return query_problem(exc, in_check=True).body()
        if rules_apply(snapshot, parsed.query):
            return self.rule_check(snapshot, parsed, today, wording, encoded_sources)
        whole = no_rule_check(snapshot, parsed, wording)  # most checks: the whole result from a template
        if whole is not None:
            return whole
        return self.full_check(snapshot, parsed, today, wording, encoded_sources)  # its template failed

    def rule_check(
        self,
        snapshot: Snapshot,
        parsed: ParsedQuery,
        today: date,
        wording: Wording,
        encoded_sources: Callable[[Decision], Any] | None,
    ) -> orjson.Fragment:
        """Answer a valid check about a rule in force: from its class's template, once it has one."""

        def full() -> bytes:
            (decision,) = render(self.decisions(snapshot, parsed, today), wording, encoded_sources)
            return dumps(check_result(snapshot, parsed, decision))

        return rule_check(snapshot, parsed, wording, today, full, self.generation)

    def full_check(
        self,
        snapshot: Snapshot,
        parsed: ParsedQuery,
        today: date,
        wording: Wording = ENGLISH,
        encoded_sources: Callable[[Decision], Any] | None = None,
    ) -> dict[str, Any]:
        """Return a valid check's result as the engine and the rendering make it, with no template."""
        (decision,), _ = self.rendered(snapshot, parsed, today, wording, encoded_sources)
        return check_result(snapshot, parsed, decision)


SEEN_ONCE = b""  # what the answer cache holds for a batch seen once: no answer is empty


def _keep(cache: BoundedCache, key: tuple[Any, ...], out: bytes, seen_before: bool) -> None:
    """Keep a batch's answer in the cache the second time the batch comes, the first time only a mark of it.

    A batch's answer is large (900 KB for 1000 checks), and most batches come once: storing each evicted a thousand
    single answers and cost a never-seen batch 7-10 % of its time (the copy, the eviction, memory handed back and
    faulted in again). A dashboard's batch sent again is computed twice, then answered from the cache.
    """
    if seen_before:
        # orjson's bytes may hold spare room past the answer: what stays cached is copied to its exact size.
        cache.put(key, bytes(memoryview(out)), entry_cost(len(out) + BATCH_DIGEST_BYTES))
    else:
        cache.put(key, SEEN_ONCE, entry_cost(BATCH_DIGEST_BYTES))


def query_params(query_string: bytes) -> dict[str, str]:
    """Parse a query string as Starlette's QueryParams does (blank values kept); raise QueryError where a parameter
    the answer reads is given twice (`country=DE&country=FR`): which one the client meant is not for us to pick."""
    text = query_string.decode("latin-1")
    if "%" in text or "+" in text:
        pairs = parse_qsl(text, keep_blank_values=True)
        params = dict(pairs)
        if len(params) < len(pairs):
            _refuse_repeats([name for name, _ in pairs])
        return params
    # Nothing to unescape: splitting gives what parse_qsl gives, several times faster.
    params = {}
    fields = text.split("&")
    for field in fields:
        if field:
            name, _, value = field.partition("=")
            params[name] = value
    if len(params) < len(fields) - fields.count(""):
        _refuse_repeats([field.partition("=")[0] for field in fields if field])
    return params


ANSWERED = frozenset({*QUERY_FIELDS, "lang"})  # the parameters a decision reads


def _refuse_repeats(names: list[str]) -> None:
    """Raise QueryError for the first parameter a decision reads that is given more than once."""
    seen: set[str] = set()
    for name in names:
        if name in seen and name in ANSWERED:
            raise QueryError(422, name, f"{name} is given more than once; give it once.")
        seen.add(name)


CHECK_FIELDS = frozenset({"platform", *QUERY_FIELDS})
_ONLY_STR = frozenset({str})


def check_params(check: Any) -> dict[str, str]:
    """Turn one batch check (JSON values) into the raw string parameters a query string would carry."""
    # Most checks are objects of known fields with string values: copied as they are, in C.
    if (
        type(check) is dict
        and check.keys() <= CHECK_FIELDS
        and set(map(type, check.values())) == _ONLY_STR
        and "platform" in check
        and "category" in check
    ):
        return dict(check)
    if not isinstance(check, Mapping):
        raise QueryError(422, "check", "Each check must be a JSON object.")
    if not check.keys() <= CHECK_FIELDS:
        unknown = sorted(set(check) - CHECK_FIELDS)
        raise QueryError(
            422, unknown[0], f"Unknown field {unknown[0]!r}; a check takes platform, {', '.join(QUERY_FIELDS)}."
        )
    for required in ("platform", "category"):
        if not isinstance(check.get(required), str):
            raise QueryError(422, required, f"Each check needs {required} as a string.")
    params: dict[str, str] = {}
    for name, value in check.items():
        if isinstance(value, str):  # most values: checked first
            params[name] = value
        elif value is None:
            continue
        elif isinstance(value, bool):
            params[name] = "true" if value else "false"
        elif isinstance(value, int) and name == "age":
            params[name] = str(value)
        else:
            raise QueryError(422, name, f"{name} must be {_CHECK_TYPES.get(name, 'a string')}.")
    return params


# What each field of a check may be, where more than a string: said in the 422 of a check that sends another type.
_CHECK_TYPES = {
    "age": "a whole number (or a string of digits)",
    "objected": 'true or false (or the string "true" or "false")',
    "opted_in": 'true or false (or the string "true" or "false")',
}


def query_problem(exc: QueryError, *, in_check: bool = False) -> Problem:
    """Return the problem document for a bad question, listing the valid ids where an id was unknown; a batch's
    check (`in_check`) names its platform in the field `platform`, where a single question has it in the path."""
    extra: dict[str, Any] = {"param": "platform" if in_check and exc.param == "platform_id" else exc.param}
    if exc.valid is not None:
        extra["valid"] = list(exc.valid)
    title = "Unknown platform" if exc.status == 404 else "Invalid parameter"
    return Problem(exc.status, exc.detail, title=title, **extra)


def etag(revision: int, parsed: ParsedQuery, lang: str = DEFAULT_LANGUAGE, stale: list[bool] | None = None) -> str:
    """Return a strong ETag covering the dataset revision, the normalised question (as_of resolved), the language
    of its words and staleness."""
    q = parsed.query
    normal = (
        f"{q.platform_id}|{parsed.category_id}|{q.country}|{q.as_of}|{q.age}|{q.objected}|{q.objected_on}|"
        f"{q.posted_on}|{q.opted_in}|{q.opted_in_on}|{lang}"
        + ("|stale:" + "".join("1" if s else "0" for s in stale) if stale and any(stale) else "")
    )
    return f'"r{revision}-{hashlib.blake2b(normal.encode(), digest_size=8).hexdigest()}"'
