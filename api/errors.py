"""One error shape for every failure: ``{"error": {"code": ..., "message": "中文 / English"}}``.

FastAPI's own handlers (validation, HTTP errors) are replaced so that no client ever sees
another shape, and a catch-all turns a bug into a generic 500 instead of a dropped connection.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.feedback import FeedbackFull, StorageError
from api.schemas import ErrorResponse

log = logging.getLogger("api")

_HTTP_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求无效", "Bad request"),
    401: ("unauthorized", "需要管理员令牌", "An admin token is required"),
    403: ("forbidden", "无权访问", "Forbidden"),
    404: ("not_found", "未找到", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    406: ("not_acceptable", "无法提供所需格式", "Not acceptable"),
    413: ("body_too_large", "请求体过大", "The request body is too large"),
    415: ("unsupported_media_type", "请求体必须是 JSON", "The request body must be JSON"),
}

# What each error status means, for the OpenAPI document.
_DESCRIPTIONS = {
    400: "Malformed body (not JSON, not UTF-8, nested too deeply)",
    401: "Missing or wrong admin token",
    404: "Not found",
    408: "The body did not arrive in time",
    409: "Conflict: already there, or another change in progress",
    413: "Body larger than max_body_bytes",
    415: "Body is not JSON",
    422: "Invalid field",
    429: "Rate limited (see Retry-After)",
    503: "Index not loaded, overloaded, or storage unavailable (see Retry-After)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for error statuses, all with the one error body."""
    return {s: {"model": ErrorResponse, "description": _DESCRIPTIONS[s]} for s in statuses}


def bilingual(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def error_content(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def error_bytes(code: str, message: str) -> bytes:
    """The error body for middleware that answers before the app runs."""
    return json.dumps(error_content(code, message), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class ApiError(Exception):
    """An expected failure with a status, a stable code and a bilingual message."""

    def __init__(
        self, status: int, code: str, zh: str, en: str, *, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"{code}: {en}")
        self.status = status
        self.code = code
        self.message = bilingual(zh, en)
        self.headers = dict(headers or {})


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    return JSONResponse(error_content(code, message), status_code=status, headers=dict(headers or {}))


def _field(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _custom(kind: str, field: str) -> tuple[str, str] | None:
    """(code, message) for the error types api.schemas raises."""
    if kind == "empty":
        if field == "question":
            return "empty_question", bilingual("问题不能为空", "The question must not be empty")
        return "empty_field", bilingual(f"字段 {field} 不能为空", f"Field {field} must not be empty")
    if kind == "control_characters":
        if field == "question":
            return kind, bilingual("问题包含不允许的控制字符", "The question contains control characters")
        return kind, bilingual(
            f"字段 {field} 包含不允许的控制字符", f"Field {field} contains control characters"
        )
    if kind == "invalid_deadline":
        return kind, bilingual(
            f"字段 {field} 应写作 2022-09 或 2022年9月", f"Field {field} must look like 2022-09 or 2022年9月"
        )
    if kind == "empty_query":
        return kind, bilingual("查询词为空时至少需要一个筛选条件", "An empty query needs at least one filter")
    return None


def translate_validation(errors: Sequence[Mapping[str, Any]]) -> tuple[int, str, str]:
    """(status, code, bilingual message) for the first of pydantic's errors."""
    if not errors:
        return 422, "invalid_request", bilingual("请求无效", "Invalid request")
    err = errors[0]
    kind = str(err.get("type", ""))
    loc = tuple(err.get("loc", ()))
    field = _field(loc)
    msg = str(err.get("msg", ""))
    ctx = err.get("ctx") or {}
    custom = _custom(kind, field)
    if custom is not None:
        return 422, *custom
    if kind == "json_invalid":
        return 400, "invalid_json", bilingual("请求体不是有效的 JSON", "The request body is not valid JSON")
    if kind == "missing":
        if loc == ("body",):
            return 422, "missing_body", bilingual("缺少请求体", "The request body is required")
        return 422, "missing_field", bilingual(f"缺少必填字段 {field}", f"Missing required field {field}")
    if len(loc) == 1 and loc[0] == "body":
        return (
            422,
            "invalid_body",
            bilingual("请求体必须是 JSON 对象", "The request body must be a JSON object"),
        )
    if kind in {"string_too_long", "too_long"}:
        limit = ctx.get("max_length", "?")
        listed = isinstance(err.get("input"), list | tuple)  # else a string's length
        zh, en = ("项", "items") if listed else ("个字符", "characters")
        return (
            422,
            "too_long",
            bilingual(
                f"字段 {field} 过长（最多 {limit} {zh}）", f"Field {field} is too long (at most {limit} {en})"
            ),
        )
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "string_too_short"}:
        return (
            422,
            "out_of_range",
            bilingual(f"字段 {field} 超出允许范围", f"Field {field} is out of range: {msg}"),
        )
    if kind in {"literal_error", "enum"}:
        return (
            422,
            "invalid_value",
            bilingual(f"字段 {field} 的取值无效", f"Field {field} has an invalid value: {msg}"),
        )
    return (
        422,
        "invalid_type",
        bilingual(f"字段 {field} 的类型或格式无效", f"Field {field} is invalid: {msg}"),
    )


async def _api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    status, code, message = translate_validation(exc.errors())
    return error_response(status, code, message)


async def _http_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code, zh, en = _HTTP_MESSAGES.get(exc.status_code, ("http_error", "请求失败", "Request failed"))
    if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        code, zh, en = "invalid_body", "请求体无法解析", "The request body could not be parsed"
    return error_response(exc.status_code, code, bilingual(zh, en), exc.headers)


async def _storage_error(request: Request, exc: Exception) -> Response:
    """A storage fault: 503 in the error shape (inside the middleware, so with every header), the cause
    in the log."""
    assert isinstance(exc, StorageError)
    if isinstance(exc, FeedbackFull):
        log.warning("feedback refused on %s: %s", request.url.path, exc)
        code, zh, en = (
            "feedback_full",
            "反馈存储已满，请稍后再试",
            "Feedback storage is full, please retry later",
        )
    else:
        log.error("storage fault on %s %s: %s", request.method, request.url.path, exc)
        code, zh, en = (
            "storage_unavailable",
            "存储暂不可用，请稍后再试",
            "Storage is unavailable, please retry later",
        )
    return error_response(503, code, bilingual(zh, en), {"Retry-After": "60"})


async def _unhandled(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", bilingual("服务器内部错误", "Internal server error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(StorageError, _storage_error)
    app.add_exception_handler(Exception, _unhandled)
