"""Fixtures for the sentiment tests: the shipped model, the evaluation CSVs, a check set."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.config import Settings
from qa_service.engines.registry import Engines
from qa_service.engines.sentiment import SentimentModel

REPO = Path(__file__).resolve().parents[1]
SENTIMENT_DATA = REPO.parent / "shared" / "data" / "sentiment" / "zh"

# Call-centre lines the model never saw in training (the tests check that), by expected label.
# "not negative" lines may come out neutral or positive; the others must match exactly.
COURTESY = [
    "您好，请问有什么可以帮您？",
    "您好，欢迎致电，我是工号三零二的客服。",
    "请您稍等一下，我马上帮您处理。",
    "感谢您的耐心等待。",
    "How can I help you today?",
    "Good morning, thanks for holding.",
    "I'd be happy to look into that for you.",
    "Thank you for your patience.",
]
BUSINESS = [
    "请问您的快递单号是多少？",
    "您的退款预计在三个工作日内到账。",
    "麻烦您核对一下收货地址。",
    "这个套餐每个月包含二十G流量。",
    "What is the email address on the account?",
    "Your next bill will be issued on the first of the month.",
    "I'll send you a confirmation by text message.",
    "Could you read me the serial number on the router?",
]
COMPLAINTS = [
    "你们怎么回事，东西坏了一个星期都没人管！",
    "我对你们的服务非常失望。",
    "已经投诉三次了，还是没有任何结果。",
    "你们乱收费，我要去工商局告你们。",
    "这个客服的态度真的太差了。",
    "I am really angry, my internet has been down for a week.",
    "This is the third time I'm calling and nobody has helped me.",
    "You charged me for something I never ordered, this is outrageous.",
    "Your agent hung up on me, that's unacceptable.",
    "I'm sick of waiting, this service is a joke.",
]
PRAISE = [
    "问题解决了，太感谢你了！",
    "你们的服务真不错，谢谢。",
    "Thanks a lot, you've been a great help.",
    "That's perfect, I really appreciate it.",
]


@pytest.fixture(scope="session")
def sentiment_data() -> Path:
    if not SENTIMENT_DATA.is_dir():
        pytest.fail(f"test data missing: {SENTIMENT_DATA} (expects ../shared beside the repo)")
    return SENTIMENT_DATA


@pytest.fixture(scope="session")
def sentiment_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(models_dir=REPO / "models", sentiment_model="", device="cpu")


@pytest.fixture(scope="session")
def sentiment_engines(sentiment_settings: Settings) -> Engines:
    return Engines(sentiment_settings)


@pytest.fixture(scope="session")
def sentiment_model(sentiment_engines: Engines) -> SentimentModel:
    return sentiment_engines.sentiment


def sentiment_model_dir() -> Path:
    return REPO / "models" / "sentiment-e5mini-zh-en"
