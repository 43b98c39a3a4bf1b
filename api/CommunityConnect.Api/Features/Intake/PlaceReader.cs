namespace CommunityConnect.Api.Features.Intake;

public enum PlaceMentionKind : byte
{
    Building,
    Unit,
}

/// <summary>
/// A building or a unit (room) number found in the text, as digits, with where it was written.
/// <see cref="Negated"/> is set for a correction's rejected part: 不是3号楼 (是5号楼).
/// </summary>
public sealed record PlaceMention(PlaceMentionKind Kind, string Value, int Start, int Length, bool Negated);

/// <summary>
/// Reads building and unit numbers the way residents write them (TAXONOMY.md "Rules for the edge
/// cases"): 3号楼502, 5栋201, 二十三幢401, 5#, 7-702, 66弄9号402 (lane 66, building 9), 16幢2单元1602
/// (the stairway is skipped), 隔壁603, 楼下六零二, full-width digits (already ASCII after
/// normalising). A floor (4楼, 十八楼) or a stairway (2单元) is not a unit; dates (3月5号), parking
/// spaces (135号车位), metro lines, money, ages and years are not places.
/// A hand-written scanner rather than regular expressions: one pass, no allocations but the
/// answers, and the reasons for each decision readable next to it.
/// </summary>
public static class PlaceReader
{
    private const string ChineseDigits = "零〇一二两三四五六七八九";

    // After a bare number, these make it a quantity, a time or a price, never a room.
    private static readonly string[] Measures =
    [
        "元", "块", "米", "平", "岁", "年", "月", "日", "天", "个", "次", "斤", "分", "秒", "点", "路", "号线", "人", "户",
        "辆", "台", "万", "千", "百", "度", "%", "多", "余", "左右", "毫", "公", "克", "ml", "kg", "cm", "期", "届", "小时",
        "周", "遍", "趟", "条", "张", "瓶", "袋", "箱", "盒", "只", "头", "间", "套", "层", "楼", "幢", "栋", "号", "弄", "单元",
    ];

    // After "N号", these make N a date, a parking space, a gate or a line, never a building.
    private static readonly string[] NotBuildingAfterHao =
    [
        "车位", "线", "门", "口", "床", "机", "窗", "柜", "桩", "位", "车", "以后", "之后", "以前", "之前", "上午", "下午",
        "晚上", "早上", "中午", "开始", "前", "后", "到", "至", "左右", "那天", "当天", "星期", "周", "凌晨", "傍晚", "白天",
        "夜里", "截止", "起", "交", "发", "出", "停", "通知", "号", "码", "房", "室",
    ];

    // Just before a bare 3–4 digit number, these say it is a home: 隔壁603, 我家是502, 楼下六零二.
    private static readonly string[] UnitContext =
    [
        "隔壁", "对门", "对面", "楼上", "楼下", "我家", "家住", "住在", "住", "我是", "门牌", "门牌号", "房号", "房间号", "家是",
        "邻居", "他家", "她家", "那家", "我们家", "业主", "户主", "室号", "我在", "在",
    ];

    public static List<PlaceMention> Read(string text)
    {
        var found = new List<PlaceMention>();
        var lastBuildingEnd = -1;
        var i = 0;
        while (i < text.Length)
        {
            if (!TryNumber(text, i, out var number))
            {
                i++;
                continue;
            }
            var at = number.End;
            var negated = IsNegated(text, number.Start);

            // 7-702, 7-2-702: building, (stairway,) unit.
            if (number.Arabic && number.Digits <= 3 && Peek(text, at) is '-' or '—' or '–' && TryNumber(text, at + 1, out var second) && second.Arabic)
            {
                var last = second;
                if (second.Digits <= 2 && Peek(text, second.End) is '-' or '—' or '–' && TryNumber(text, second.End + 1, out var third) && third.Arabic)
                {
                    last = third;
                }
                if (IsPlausibleRoom(last.Value, last.Digits) && number.Value > 0)
                {
                    found.Add(new PlaceMention(PlaceMentionKind.Building, number.Text, number.Start, number.Length, negated));
                    found.Add(new PlaceMention(PlaceMentionKind.Unit, last.Text, last.Start, last.Length, negated));
                    lastBuildingEnd = -1;
                    i = last.End;
                    continue;
                }
            }

            var building = Marker(text, at, "号楼", "#楼", "幢楼", "栋楼", "幢", "栋", "#");
            if (building > 0 && number.Value is > 0 and < 1000)
            {
                found.Add(new PlaceMention(PlaceMentionKind.Building, number.Text, number.Start, number.Length, negated));
                lastBuildingEnd = at + building;
                i = lastBuildingEnd;
                continue;
            }
            if (Marker(text, at, "弄") > 0)
            {
                // A lane (弄): its number is not the building; 66弄9号 is building 9.
                i = at + 1;
                continue;
            }
            if (Marker(text, at, "单元", "门洞") > 0 || Marker(text, at, "层") > 0)
            {
                // A stairway or a floor: keep any building before it attached to what follows.
                i = at + (Marker(text, at, "单元", "门洞", "层"));
                if (lastBuildingEnd >= 0)
                {
                    lastBuildingEnd = i;
                }
                continue;
            }
            if (Marker(text, at, "号") > 0 && !number.IsChineseDigitRun)
            {
                var after = at + 1;
                var date = Before(text, number.Start, "月");
                // 五号 alone is more often a date than a building: Chinese numerals need a room after them.
                var roomAfter = TryNumber(text, SkipSeparators(text, after), out var next) && next.Digits is 3 or 4;
                var notBuilding = date || StartsWithAny(text, after, NotBuildingAfterHao) || (!number.Arabic && !roomAfter);
                if (StartsWithAny(text, after, "房", "室") && number.Digits >= 3)
                {
                    found.Add(new PlaceMention(PlaceMentionKind.Unit, number.Text, number.Start, number.Length, negated));
                    lastBuildingEnd = -1;
                    i = after + 1;
                    continue;
                }
                if (!notBuilding && number.Value is > 0 and < 1000)
                {
                    if (lastBuildingEnd >= 0 && number.Digits >= 3 && Gap(text, lastBuildingEnd, number.Start) <= 2)
                    {
                        // 9号楼502号: the second number is the room.
                        found.Add(new PlaceMention(PlaceMentionKind.Unit, number.Text, number.Start, number.Length, negated));
                        lastBuildingEnd = -1;
                    }
                    else
                    {
                        found.Add(new PlaceMention(PlaceMentionKind.Building, number.Text, number.Start, number.Length, negated));
                        lastBuildingEnd = after;
                    }
                }
                i = after;
                continue;
            }
            if (Marker(text, at, "楼") > 0)
            {
                // 4楼, 十八楼: a floor. But 5楼201 names building 5 when the room is not on floor 5.
                var after = at + 1;
                if (number.Arabic && TryNumber(text, SkipSeparators(text, after), out var room) && room.Arabic
                    && IsPlausibleRoom(room.Value, room.Digits) && room.Value / 100 != number.Value && number.Value is > 0 and < 1000
                    && !StartsWithAny(text, room.End, Measures))
                {
                    found.Add(new PlaceMention(PlaceMentionKind.Building, number.Text, number.Start, number.Length, negated));
                    found.Add(new PlaceMention(PlaceMentionKind.Unit, room.Text, room.Start, room.Length, negated));
                    lastBuildingEnd = -1;
                    i = room.End;
                    continue;
                }
                if (lastBuildingEnd >= 0)
                {
                    lastBuildingEnd = after;
                }
                i = after;
                continue;
            }

            var explicitRoom = Marker(text, at, "室", "号房", "房间", "户");
            var isRoomNumber = number.Digits is 3 or 4 && (number.Arabic || number.IsChineseDigitRun);
            if (isRoomNumber && explicitRoom > 0 && number.Value >= 100)
            {
                found.Add(new PlaceMention(PlaceMentionKind.Unit, number.Text, number.Start, number.Length, negated));
                lastBuildingEnd = -1;
                i = at + explicitRoom;
                continue;
            }
            // 天天 (every day), 天花板 (ceiling), 天台 (roof) after a number are not "days".
            var measured = StartsWithAny(text, at, Measures) && !StartsWithAny(text, at, "天天", "天花", "天台", "天井", "天然气");
            if (isRoomNumber && IsPlausibleRoom(number.Value, number.Digits) && !measured
                && ((lastBuildingEnd >= 0 && Gap(text, lastBuildingEnd, number.Start) <= 2) || HasUnitContext(text, number.Start)
                    || OpensMessage(text, number.Start)))
            {
                found.Add(new PlaceMention(PlaceMentionKind.Unit, number.Text, number.Start, number.Length, negated));
                lastBuildingEnd = -1;
                i = at;
                continue;
            }
            i = at;
        }
        return found;
    }

    /// <summary>A room number: floor then a two-digit door number (101, 1203, 2003), not a year or a price.</summary>
    public static bool IsPlausibleRoom(int value, int digits) =>
        digits is 3 or 4 && value / 100 >= 1 && value % 100 is >= 1 and <= 30;

    private readonly record struct Number(int Start, int End, int Value, int Digits, bool Arabic, bool IsChineseDigitRun)
    {
        public int Length => End - Start;

        public string Text => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A number at <paramref name="start"/>: ASCII digits, or Chinese numerals (二十三, 十五, 廿一, 六零二).</summary>
    private static bool TryNumber(string text, int start, out Number number)
    {
        number = default;
        if (start >= text.Length)
        {
            return false;
        }
        if (IsAsciiDigit(text[start]))
        {
            // Not the tail of a longer run (a phone number, a letter-and-number code like B135).
            if (start > 0 && (IsAsciiDigit(text[start - 1]) || text[start - 1] is >= 'a' and <= 'z'))
            {
                return false;
            }
            var end = start;
            while (end < text.Length && IsAsciiDigit(text[end]))
            {
                end++;
            }
            if (end - start > 5 || (end < text.Length && text[end] is >= 'a' and <= 'z' or '.'))
            {
                return false;
            }
            number = new Number(start, end, int.Parse(text.AsSpan(start, end - start), provider: System.Globalization.CultureInfo.InvariantCulture), end - start, true, false);
            return true;
        }
        if (!IsChineseNumeral(text[start]) || (start > 0 && IsChineseNumeral(text[start - 1])))
        {
            return false;
        }
        var stop = start;
        var positional = false;
        while (stop < text.Length && IsChineseNumeral(text[stop]))
        {
            positional |= text[stop] is '十' or '百' or '千' or '廿' or '卅';
            stop++;
        }
        if (stop - start > 6)
        {
            return false;
        }
        var value = 0;
        if (positional)
        {
            var current = 0;
            foreach (var c in text.AsSpan(start, stop - start))
            {
                switch (c)
                {
                    case '十': value += (current == 0 ? 1 : current) * 10; current = 0; break;
                    case '百': value += current * 100; current = 0; break;
                    case '千': value += current * 1000; current = 0; break;
                    case '廿': value += 20; current = 0; break;
                    case '卅': value += 30; current = 0; break;
                    default: current = DigitOf(c); break;
                }
            }
            value += current;
            number = new Number(start, stop, value, value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length, false, false);
            return true;
        }
        foreach (var c in text.AsSpan(start, stop - start))
        {
            value = value * 10 + DigitOf(c);
        }
        number = new Number(start, stop, value, stop - start, false, stop - start >= 3);
        return true;
    }

    private static int DigitOf(char c) => c switch
    {
        '一' => 1,
        '二' or '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => 0,
    };

    private static bool IsAsciiDigit(char c) => c is >= '0' and <= '9';

    private static bool IsChineseNumeral(char c) => ChineseDigits.Contains(c) || c is '十' or '百' or '千' or '廿' or '卅';

    private static char Peek(string text, int at) => at < text.Length ? text[at] : '\0';

    /// <summary>The length of the first marker written at <paramref name="at"/> (after spaces), or 0.</summary>
    private static int Marker(string text, int at, params ReadOnlySpan<string> markers)
    {
        var from = at;
        while (from < text.Length && text[from] == ' ')
        {
            from++;
        }
        foreach (var marker in markers)
        {
            if (string.CompareOrdinal(text, from, marker, 0, marker.Length) == 0)
            {
                return from - at + marker.Length;
            }
        }
        return 0;
    }

    private static bool StartsWithAny(string text, int at, params ReadOnlySpan<string> words)
    {
        foreach (var word in words)
        {
            if (string.CompareOrdinal(text, at, word, 0, word.Length) == 0)
            {
                return true;
            }
        }
        return false;
    }

    private static bool Before(string text, int at, string word) =>
        at >= word.Length && string.CompareOrdinal(text, at - word.Length, word, 0, word.Length) == 0;

    /// <summary>Characters between two places, ignoring spaces, commas, dashes and 的.</summary>
    private static int Gap(string text, int from, int to)
    {
        var gap = 0;
        for (var k = from; k < to; k++)
        {
            if (text[k] is not (' ' or ',' or '、' or '-' or ':' or '/'))
            {
                gap++;
            }
        }
        return to < from ? int.MaxValue : gap;
    }

    private static int SkipSeparators(string text, int at)
    {
        while (at < text.Length && text[at] is ' ' or '-' or ',')
        {
            at++;
        }
        return at;
    }

    private static bool HasUnitContext(string text, int start)
    {
        // The context word ends at most two characters (是, 的, a space) before the number.
        for (var gap = 0; gap <= 2 && start - gap >= 0; gap++)
        {
            var end = start - gap;
            if (gap > 0 && text[end] is ',' or '。' or '!' or '?' or ';' or '\n')
            {
                return false;
            }
            foreach (var word in UnitContext)
            {
                if (Before(text, end, word))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Nothing but spaces, punctuation or an @-mention before it: "402阳台漏水" starts with the room.</summary>
    private static bool OpensMessage(string text, int start)
    {
        for (var k = 0; k < start; k++)
        {
            if (char.IsLetterOrDigit(text[k]) && !(k > 0 && text[k - 1] == '@'))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsNegated(string text, int start)
    {
        for (var gap = 0; gap <= 2 && start - gap >= 0; gap++)
        {
            var end = start - gap;
            if (Before(text, end, "不是") || Before(text, end, "不在") || Before(text, end, "而不是"))
            {
                return true;
            }
        }
        return false;
    }
}
