"""Chinese numerals written the way reports write them, for the property tests of the number reader."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"


def below_10k(k: int, *, leading: bool = True) -> str:
    """1..9999 in Chinese numerals (三千零五, 二十; 一十 when not leading, as in 一万零一十)."""
    out, zero = [], False
    for value, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = k // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        if value == 10 and d == 1 and not out and leading:
            out.append("十")
        else:
            out.append(DIGITS[d] + name)
    return "".join(out)


def chinese(n: int) -> str:
    """Write a positive integer below 10^12 in Chinese numerals (12000 → 一万二千)."""
    parts = []
    for value, name in ((10**8, "亿"), (10**4, "万"), (1, "")):
        k = n // value % 10**4 if value != 10**8 else n // value
        if k:
            if parts and k < 1000:
                parts.append("零")
            parts.append(below_10k(k, leading=not parts) + name)
    text = "".join(parts)
    if text == "二":
        return "两"  # a count of two is 两家, never 二家
    return "两" + text[1:] if text.startswith("二") and len(text) > 1 and text[1] in "千百万亿" else text
