from hyte.text import visible


def test_reordering_and_hiding_controls_are_removed():
    assert visible("a\u202eb\u202c c\u2066d\u2069 e\u200fx\u200e\u061c") == "ab cd ex"
    assert visible("x\u200by\u200cz\u2060w\ufeff\u180e") == "xyzw"
    assert visible("a\u200db") == "ab"


def test_an_emoji_joiner_and_ordinary_text_stay():
    for text in ("👩\u200d💻", "❤️\u200d🔥", "Hyvinvointi ja terveys – ”HYTE”", "שלום abc", ""):
        assert visible(text) == text
