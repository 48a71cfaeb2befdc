"""The LLM answerer: numbered evidence under a token budget, a chat call through
llama-index's OpenAI classes, and the same citation checking for every answer."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer.citations import check_citations, cited_numbers, normalise_markers
from assistant.answer.model import CANNOT_ANSWER, Answer, Citation
from assistant.answer.relevance import Judged
from assistant.answer.sentences import without_connective, without_own_citations
from assistant.config import Settings
from assistant.corpus.paper import papers_counted
from assistant.corpus.text import strip_controls
from assistant.errors import EndpointError, InputError
from assistant.prompts import load_prompt, system_prompt
from assistant.redaction import redact_written

MIN_EVIDENCE_TOKENS = 60
MESSAGE_OVERHEAD_TOKENS = 12
TokenCallback = Callable[[str], None]


@functools.cache
def _encoding():
    """cl100k_base from the copy bundled with llama-index (nothing is downloaded)."""
    import tiktoken
    from llama_index.core.utils import get_tokenizer

    get_tokenizer()  # points tiktoken's cache at llama-index's bundled file
    return tiktoken.get_encoding("cl100k_base")


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def _truncate_tokens(text: str, limit: int) -> str:
    encoding = _encoding()
    tokens = encoding.encode(text, disallowed_special=())
    return text if len(tokens) <= limit else encoding.decode(tokens[:limit]).rstrip() + " …"


@dataclass
class Evidence:
    papers: list[Judged]
    text: str
    trimmed: bool


def build_evidence(papers: list[Judged], budget: int) -> Evidence:
    """Number the papers [1]..[n]; stop (trimming the last) when the budget is spent."""
    blocks, kept, used, trimmed = [], [], 0, False
    for paper in papers:
        record = paper.paper
        year = f" ({record.year})" if record.year else ""
        block = f"[{len(kept) + 1}] {record.title}{year}\n{without_own_citations(record.abstract)}"
        cost = count_tokens(block) + 2
        if used + cost > budget:
            room = budget - used - 2
            trimmed = True
            if room < MIN_EVIDENCE_TOKENS:
                break
            block, cost = _truncate_tokens(block, room), room + 2
        blocks.append(block)
        kept.append(paper)
        used += cost
    return Evidence(kept, "\n\n".join(blocks), trimmed)


def make_llm(settings: Settings):
    """llama-index's OpenAI class for OpenAI's models, OpenAILike for any other name."""
    from llama_index.llms.openai import OpenAI
    from llama_index.llms.openai.utils import openai_modelname_to_contextsize
    from llama_index.llms.openai_like import OpenAILike

    class _Retrying:
        # llama-index retries with backoff (honouring Retry-After); the client must not
        # retry as well, or every attempt would multiply.
        def _get_credential_kwargs(self, is_async: bool = False) -> dict:
            return {**super()._get_credential_kwargs(is_async), "max_retries": 0}

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    common = {
        "model": settings.llm_model,
        "api_key": key,
        "api_base": settings.openai_base_url,
        "timeout": settings.llm_timeout,
        "max_retries": settings.llm_max_retries + 1,  # attempts, in llama-index's terms
        "max_tokens": settings.llm_answer_tokens,
        "temperature": 0.1,
        "additional_kwargs": {"stream_options": {"include_usage": True}},
    }
    try:
        openai_modelname_to_contextsize(settings.llm_model)
    except ValueError:
        cls = type("AssistantOpenAILike", (_Retrying, OpenAILike), {})
        return cls(**common, is_chat_model=True, context_window=settings.llm_context_window)
    return type("AssistantOpenAI", (_Retrying, OpenAI), {})(**common)


def endpoint_error(error: Exception, settings: Settings) -> EndpointError:
    """A one-line, key-free explanation of what went wrong with the endpoint."""
    import httpx
    import openai

    where = settings.openai_base_url or "the OpenAI API"
    tries = settings.llm_max_retries + 1
    attempts = "1 attempt" if tries == 1 else f"{tries} attempts"
    if isinstance(error, openai.AuthenticationError):
        message = f"{where} rejected the API key (401); check OPENAI_API_KEY"
    elif isinstance(error, openai.PermissionDeniedError):
        message = f"{where} refused the request (403); check the key's permissions"
    elif isinstance(error, openai.NotFoundError):
        message = (
            f"{where} does not serve model {settings.llm_model!r} (404); "
            "set ASSISTANT_LLM_MODEL to a model it serves"
        )
    elif isinstance(error, openai.APITimeoutError):
        message = (
            f"{where} did not answer within {settings.llm_timeout:g} s ({attempts}); "
            "raise ASSISTANT_LLM_TIMEOUT or use --no-llm"
        )
    elif isinstance(error, openai.APIConnectionError):
        message = f"cannot connect to {where}; is the server running? (or use --no-llm)"
    elif isinstance(error, httpx.TimeoutException):
        message = (
            f"{where} stopped sending for {settings.llm_timeout:g} s in the middle of the "
            "answer; raise ASSISTANT_LLM_TIMEOUT or use --no-llm"
        )
    elif isinstance(error, httpx.HTTPError):
        message = (
            f"the connection to {where} broke off in the middle of the answer "
            f"({type(error).__name__}); try again or use --no-llm"
        )
    elif isinstance(error, openai.RateLimitError):
        message = f"{where} is rate limiting (429) after {attempts}; try again later"
    elif isinstance(error, openai.BadRequestError):  # the client's fault: no retry helps
        reason = _reason(error)
        setting = (
            "ASSISTANT_LLM_CONTEXT_WINDOW"
            if re.search(r"context|token|too long", reason, re.IGNORECASE)
            else "ASSISTANT_LLM_MODEL"
        )
        message = f"{where} rejected the request (400){reason}; check {setting}"
    elif isinstance(error, openai.APIStatusError):
        message = (
            f"{where} failed with HTTP {error.status_code} after {attempts}; "
            "try again later or use --no-llm"
        )
    else:
        message = f"{where} sent a malformed response ({type(error).__name__}); check the server"
    return EndpointError(message)


def _reason(error: Exception) -> str:
    """The server's own reason for refusing a request (": you must provide a model"), made
    safe to print: one line, no key, no escape sequences, at most 200 characters."""
    body = getattr(error, "body", None)
    if isinstance(body, dict):  # {"message": ...}, {"error": "..."}, {"detail": ...}
        body = body.get("message") or body.get("error") or body.get("detail")
    detail = body if isinstance(body, str) else ""
    if not detail.strip():
        return ""
    return ": " + " ".join(_shown(detail).split())[:200]


def _usage(raw: object, prompt: str, text: str) -> dict:
    usage = getattr(raw, "usage", None)
    if usage is not None and getattr(usage, "prompt_tokens", None) is not None:
        counts, source = (usage.prompt_tokens, usage.completion_tokens), "endpoint"
    else:
        counts, source = (count_tokens(prompt), count_tokens(text)), "tiktoken estimate"
    return {
        "prompt_tokens": counts[0],
        "completion_tokens": counts[1],
        "total_tokens": counts[0] + counts[1],
        "source": source,
    }


def declined(text: str) -> bool:
    """Whether the reply says, anywhere, that the papers do not cover the question.

    Such a reply is an abstention even when it goes on to cite papers ("... But see [1].").
    The phrase denies the whole question, and the prompt asks for it alone: a model that
    writes it and then cites something contradicts itself, and the citations point at
    papers it has just judged off the question. A genuine partial answer states what the
    papers do say instead. The papers it pointed at are named in a warning, not cited."""

    def norm(value: str) -> str:
        return " ".join(value.lower().strip(" .\n").split())

    return re.search(re.escape(norm(CANNOT_ANSWER)) + r"(?![\w'’])", norm(text)) is not None


def declined_warning(text: str, evidence: Evidence, asked: str) -> list[str]:
    """A warning naming the evidence papers a declining reply pointed at anyway."""
    numbers = dict.fromkeys(cited_numbers(normalise_markers(text)))
    titles = [evidence.papers[n - 1].paper.title for n in numbers if 1 <= n <= len(evidence.papers)]
    if not titles:
        return []
    return [
        f"the model said the papers do not cover {asked}, yet pointed at "
        f"{len(titles)} of them (not cited): " + "; ".join(titles)
    ]


_BULLET = re.compile(r"\s*(?:[-*+>]\s+|#+\s+|\d+[.)]\s+)?")


def _without_opening_connective(text: str) -> str:
    """'However, papers [1] ...' -> 'Papers [1] ...': the answer's first sentence has no
    earlier sentence to link to (a bullet or heading mark before it is kept)."""
    mark = _BULLET.match(text).group(0)
    return mark + without_connective(text[len(mark) :])


LIST_INSTRUCTION = (
    "This question asks for papers: cite every paper in the evidence that fits it, each with "
    "what it contributes; leave out only papers that do not fit."
)


def llm_answer(decision, settings: Settings, on_token: TokenCallback | None = None) -> Answer:
    """Ask the LLM about every paper the decision judged relevant, up to the token budget."""
    question = decision.analysis.question
    candidates = decision.relevant
    sources = [j.hit for j in decision.judged]
    system = system_prompt("answer_system", settings.prompts_dir)
    user_template = load_prompt("answer_user", settings.prompts_dir)
    asked = f"{question}\n\n{LIST_INSTRUCTION}" if decision.analysis.kind == "list" else question
    overhead = (
        count_tokens(system)
        + count_tokens(user_template.render(evidence="", question=asked))
        + 2 * MESSAGE_OVERHEAD_TOKENS
    )
    budget = settings.llm_context_window - settings.llm_answer_tokens - overhead
    if budget < MIN_EVIDENCE_TOKENS:
        raise InputError(
            f"the context window ({settings.llm_context_window} tokens) leaves no room for "
            f"evidence beside the {settings.llm_answer_tokens} kept for the answer; raise "
            "ASSISTANT_LLM_CONTEXT_WINDOW, lower ASSISTANT_LLM_ANSWER_TOKENS or shorten the "
            "question"
        )
    evidence = build_evidence(candidates, budget)
    user = user_template.render(evidence=evidence.text, question=asked)
    text, raw, warnings = _chat(settings, system, user, on_token)
    if evidence.trimmed:
        warnings.append(
            f"evidence trimmed to fit the context window: {len(evidence.papers)} of "
            f"{len(candidates)} papers sent"
        )
    usage = _usage(raw, system + user, text)
    if declined(text):
        warnings.extend(declined_warning(text, evidence, "the question"))
        return Answer(question, CANNOT_ANSWER, "llm", True, [], sources, warnings, usage)
    checked = check_citations(text, len(evidence.papers))
    checked.text = _without_opening_connective(checked.text)
    warnings.extend(checked.warnings)
    if not checked.order:
        warnings.append("the answer cites none of the evidence: treat it as unsupported")
    elif decision.analysis.kind == "list":
        left_out = [
            j.paper.title for i, j in enumerate(evidence.papers, 1) if i not in checked.order
        ]
        if left_out:
            warnings.append(
                f"{papers_counted(len(left_out), 'relevant')} in the evidence left uncited: "
                + "; ".join(left_out)
            )
    citations = [Citation(i + 1, evidence.papers[n - 1].paper) for i, n in enumerate(checked.order)]
    return Answer(question, checked.text, "llm", False, citations, sources, warnings, usage)


def complete(settings: Settings, prompt: str) -> str:
    """One plain (non-streamed) completion of a single user message."""
    return _chat(settings, None, prompt, None)[0].strip()


# What is kept of a reply, in characters per answer token: a server that ignores
# max_tokens (a megabyte of text) would otherwise hold the answer for minutes.
REPLY_CHARS_PER_TOKEN = 8
# Seconds before each retry of a streamed call (llama-index backs off so for a plain one).
_RETRY_WAIT_S = (1.0, 2.0, 4.0, 8.0)


def _chat(
    settings: Settings, system: str | None, user: str, on_token: TokenCallback | None
) -> tuple[str, object, bool]:
    """The model's reply, as it may be shown (no escape sequence that would drive the
    terminal, no secret the server echoes), its raw response, and warnings: cut to the
    answer budget, or a stream that never said it was finished."""
    import httpx
    import openai
    from llama_index.core.llms import ChatMessage

    llm = make_llm(settings)
    messages = [ChatMessage(role="user", content=user)]
    if system:
        messages.insert(0, ChatMessage(role="system", content=system))
    limit = REPLY_CHARS_PER_TOKEN * settings.llm_answer_tokens
    finished = True
    try:
        if on_token is None:
            response = llm.chat(messages)
            text, raw = response.message.content or "", response.raw
        else:
            text, raw, finished = _streamed(llm, messages, settings, on_token, limit)
    except openai.APIError as error:
        raise endpoint_error(error, settings) from None
    except httpx.HTTPError as error:  # the body broke off, or stalled, after the request
        raise endpoint_error(error, settings) from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise endpoint_error(error, settings) from None
    warnings = [cut_warning(settings)] if len(text) > limit else []
    if not finished:
        warnings.append(UNFINISHED_WARNING)
    text = _shown(text)[:limit]  # masked whole, then cut: never the half of a key
    if not text.strip():
        raise EndpointError(
            f"{settings.openai_base_url or 'the OpenAI API'} returned an empty or malformed "
            "answer; check the model"
        )
    return text, raw, warnings


# A stream closed without a finish reason: cut off, or a server or proxy that does not send
# one (llama-index also skips a last chunk whose delta is null), so a warning, not an error
UNFINISHED_WARNING = (
    "the endpoint closed the stream without saying the answer was finished: it may be cut off"
)


def cut_warning(settings: Settings) -> str:
    return (
        f"the reply ran past {REPLY_CHARS_PER_TOKEN * settings.llm_answer_tokens} characters "
        "and was cut there; the server may ignore the token limit (ASSISTANT_LLM_ANSWER_TOKENS)"
    )


def _shown(text: str) -> str:
    return strip_controls(redact_written(text))


def _streamed(llm, messages, settings: Settings, on_token: TokenCallback, limit: int):
    """Stream the reply to `on_token` as it may be shown, retrying as a plain call does
    while nothing has been shown (the request is only sent when the stream is read, past
    llama-index's retries). What is shown is the masked text up to the last whole word,
    less what was shown before: a key split across pieces, or the token after "Bearer",
    is masked whole. Returns the text, the last raw chunk and whether a chunk said the
    reply was finished."""
    import openai

    retryable = (
        openai.APIConnectionError,
        openai.RateLimitError,
        openai.InternalServerError,
    )
    attempt = 0
    while True:
        shown, text, raw, words, finished = "", "", None, 0, False
        try:
            for part in llm.stream_chat(messages):
                text, raw = part.message.content or "", part.raw
                finished = finished or _finishes(raw)
                ended = max(text.rfind(" "), text.rfind("\n")) + 1
                if ended > words:  # a word more: mask what it adds (not per piece)
                    words = ended
                    shown = _show_more(shown, _shown(text[:words]), on_token)
                if len(text) > limit:
                    break
            _show_more(shown, _shown(text[:limit]), on_token)
            # nothing said is the empty-answer error; past the limit, the cut warning
            return text, raw, finished or not text or len(text) > limit
        except retryable:
            if shown or attempt == settings.llm_max_retries:
                raise
            time.sleep(_RETRY_WAIT_S[min(attempt, len(_RETRY_WAIT_S) - 1)])
            attempt += 1


def _finishes(chunk: object) -> bool:
    """Whether a streamed chunk says the reply is complete (a finish reason: "stop",
    "length", ...); a stream that closes without one was cut off."""
    return any(getattr(c, "finish_reason", None) for c in getattr(chunk, "choices", None) or ())


def _show_more(shown: str, showable: str, on_token: TokenCallback) -> str:
    """Pass on what `showable` adds to what was `shown`; return what is shown now."""
    if len(showable) > len(shown) and showable.startswith(shown):
        on_token(showable[len(shown) :])
        return showable
    return shown
