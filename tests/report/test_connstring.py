"""Connection-string secrets by the grammar Microsoft documents (app/report/connstring.py)."""

from __future__ import annotations

import time

import pytest

from app.report.connstring import found_values, mask

R = "[secret removed]"


@pytest.mark.parametrize(("text", "masked", "value"), [
    ('Server=sql;User Id=sa;Password="a""b;c";Encrypt=True', f"Server=sql;User Id=sa;Password={R};Encrypt=True", 'a"b;c'),
    ("Password='it''s';x=1", f"Password={R};x=1", "it's"),
    ("Driver={ODBC};Pwd={x;y}}z};Uid=sa", f"Driver={{ODBC}};Pwd={R};Uid=sa", "x;y}z"),
    ("AccountName=st;AccountKey=abc+/==;EndpointSuffix=core", f"AccountName=st;AccountKey={R};EndpointSuffix=core", "abc+/=="),
    ("SharedAccessKeyName=Root;SharedAccessKey=QWE=", f"SharedAccessKeyName=Root;SharedAccessKey={R}", "QWE="),
    ("<Data>Bind Password=hunter22; Host=x</Data>", f"<Data>Bind Password={R}; Host=x</Data>", "hunter22"),
    ("Password=&quot;a;b&quot;;x=1", f"Password={R};x=1", "a;b"),
    ('{"client_secret": "s3cr3t", "x": 1}', f'{{"client_secret": {R}, "x": 1}}', '"s3cr3t"'),
    ("https://svc:P%40ss@host/x", f"https://svc:{R}@host/x", "P%40ss"),
    ("https://h/b?sv=1&sig=abc%2Bdef&se=2", f"https://h/b?sv=1&sig={R}&se=2", "abc%2Bdef"),
    ("API Key = k-123 ;", f"API Key = {R};", "k-123"),
    ("Password=a&b;c=1", f"Password={R};c=1", "a&b"),
])
def test_each_form_is_masked_and_its_value_known(text, masked, value):
    assert mask(text) == masked
    assert [v.strip('"') for v in found_values(text)] == [value.strip('"')]


@pytest.mark.parametrize("text", [
    "cwd=/tmp; tokens=3", "Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089",
    "Password=;Server=x", "no secrets here",
])
def test_what_is_no_secret_is_left_alone(text):
    assert mask(text) == text


def test_ten_megabytes_of_events_without_a_secret_word_cost_little():
    text = "<Event><Data Name='x'>ordinary text with a=b numbers 12345</Data></Event>\r\n" * 130_000
    started = time.perf_counter()
    assert mask(text) == text
    assert time.perf_counter() - started < 5  # about 0.3 s here: a few str.find scans
