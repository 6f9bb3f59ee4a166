using System.Buffers;
using System.Text;

namespace AsyncTasks.Http;

/// <summary>
/// The one masking function of the library: replaces every configured API key with <c>***</c> in the forms a gateway
/// may echo it in — raw, JSON-escaped (<c>\/</c>, <c>\uXXXX</c> in either case, surrogate pairs) and percent-encoded
/// (<c>%XX</c> in either case, <c>+</c> for a space), mixed freely within one occurrence.
/// </summary>
/// <remarks>
/// Every API answer passes through it before anything reads it (<see cref="ApiAnswerHandler"/>: body and headers), so
/// what is derived from an answer (snapshot fields, error messages, provider codes, request ids, output URLs, logs)
/// holds no key. Matching decodes as it compares, so the number of encoded forms does not matter: each position of the
/// text where a key could start is compared once against each key, byte by byte.
/// </remarks>
internal sealed class KeyMask
{
    /// <summary>Shorter keys are not masked: replacing every occurrence of a short string would garble ordinary text.</summary>
    public const int MinimumKeyLength = 8;

    /// <summary>What a key is replaced with.</summary>
    public const string Mask = "***";

    private static readonly byte[] MaskBytes = Encoding.UTF8.GetBytes(Mask);

    private static readonly SearchValues<char> Escapes = SearchValues.Create("%\\+");

    private readonly (byte[] Bytes, SearchValues<byte> Starts)[] _keys;

    /// <summary>
    /// The first two characters of each key: text holding none of them, and no escape character ('%', '\\', '+'), holds
    /// no key in any form, and is left as it is without being encoded (most header values).
    /// </summary>
    private readonly string[] _prefixes;

    public KeyMask(IEnumerable<string?> keys)
    {
        // Longest first, so that a key containing another is masked whole.
        var texts = keys.OfType<string>()
            .Where(k => k.Length >= MinimumKeyLength)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(k => k.Length)
            .ToList();
        _keys = [.. texts.Select(k => Encoding.UTF8.GetBytes(k)).Select(b => (b, Starts(b[0])))];
        _prefixes = [.. texts.Select(k => k[..2]).Distinct(StringComparer.Ordinal)];

        // Where a key could start in UTF-8 text: its first byte as written, or an escape ('+' too when it starts with a space).
        static SearchValues<byte> Starts(byte first) =>
            SearchValues.Create(first == (byte)' ' ? new[] { first, (byte)'%', (byte)'\\', (byte)'+' } : new[] { first, (byte)'%', (byte)'\\' });
    }

    /// <summary>A mask that changes nothing.</summary>
    public static KeyMask None { get; } = new([]);

    public bool IsEmpty => _keys.Length == 0;

    /// <summary>The text with every key masked; the same instance when it holds none.</summary>
    public string? Apply(string? text)
    {
        if (string.IsNullOrEmpty(text) || IsEmpty
            || (!text.AsSpan().ContainsAny(Escapes) && !HoldsAPrefix(text)))
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var masked = Apply(bytes);
        return ReferenceEquals(masked, bytes) ? text : Encoding.UTF8.GetString(masked);
    }

    private bool HoldsAPrefix(string text)
    {
        foreach (var prefix in _prefixes)
        {
            if (text.Contains(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The UTF-8 text with every key masked: <paramref name="text"/> itself when it holds none, else a new array.</summary>
    public byte[] Apply(byte[] text)
    {
        List<(int Start, int End)>? found = null;
        foreach (var (key, starts) in _keys)
        {
            var position = 0;
            while (position < text.Length)
            {
                var next = text.AsSpan(position).IndexOfAny(starts);
                if (next < 0)
                {
                    break;
                }

                var candidate = position + next;

                var end = MatchAt(text, candidate, key, 0);
                if (end > candidate && !Overlaps(found, candidate, end))
                {
                    (found ??= []).Add((candidate, end));
                    position = end;
                }
                else
                {
                    position = candidate + 1;
                }
            }
        }

        if (found is null)
        {
            return text;
        }

        found.Sort((a, b) => a.Start.CompareTo(b.Start));
        var result = new List<byte>(text.Length);
        var copied = 0;
        foreach (var (start, end) in found)
        {
            result.AddRange(text.AsSpan(copied, start - copied));
            result.AddRange(MaskBytes);
            copied = end;
        }

        result.AddRange(text.AsSpan(copied));
        return [.. result];
    }

    private static bool Overlaps(List<(int Start, int End)>? found, int start, int end) =>
        found is not null && found.Exists(f => start < f.End && f.Start < end);

    /// <summary>
    /// Where an occurrence of <paramref name="key"/> (from byte <paramref name="matched"/> on) that starts at
    /// <paramref name="position"/> ends, each byte read raw or decoded from an escape; -1 when there is none.
    /// </summary>
    private static int MatchAt(byte[] text, int position, byte[] key, int matched)
    {
        if (matched == key.Length)
        {
            return position;
        }

        if (position >= text.Length)
        {
            return -1;
        }

        var expected = key[matched];
        var current = text[position];

        // As written.
        if (current == expected && MatchAt(text, position + 1, key, matched + 1) is var raw and >= 0)
        {
            return raw;
        }

        // '+' for a space (form encoding).
        if (current == (byte)'+' && expected == (byte)' ' && MatchAt(text, position + 1, key, matched + 1) is var plus and >= 0)
        {
            return plus;
        }

        // %XX: one byte of the key's UTF-8.
        if (current == (byte)'%' && Hex(text, position + 1, 2) is var value and >= 0 && value == expected)
        {
            return MatchAt(text, position + 3, key, matched + 1);
        }

        return current == (byte)'\\' ? MatchJsonEscape(text, position, key, matched) : -1;
    }

    /// <summary>A JSON escape at <paramref name="position"/>: <c>\/</c>, <c>\\</c>, <c>\"</c>, or <c>\uXXXX</c> (a surrogate pair as two).</summary>
    private static int MatchJsonEscape(byte[] text, int position, byte[] key, int matched)
    {
        if (position + 1 >= text.Length)
        {
            return -1;
        }

        var escaped = text[position + 1];
        if (escaped is (byte)'/' or (byte)'\\' or (byte)'"')
        {
            return escaped == key[matched] ? MatchAt(text, position + 2, key, matched + 1) : -1;
        }

        if (escaped != (byte)'u' || Hex(text, position + 2, 4) is not (var unit and >= 0))
        {
            return -1;
        }

        var consumed = 6;
        int scalar = unit;
        if (char.IsHighSurrogate((char)unit))
        {
            if (position + 12 > text.Length || text[position + 6] != (byte)'\\' || text[position + 7] != (byte)'u'
                || Hex(text, position + 8, 4) is not (var low and >= 0) || !char.IsLowSurrogate((char)low))
            {
                return -1;
            }

            scalar = char.ConvertToUtf32((char)unit, (char)low);
            consumed = 12;
        }
        else if (char.IsLowSurrogate((char)unit))
        {
            return -1;
        }

        Span<byte> utf8 = stackalloc byte[4];
        var length = new Rune(scalar).EncodeToUtf8(utf8);
        return key.AsSpan(matched).StartsWith(utf8[..length])
            ? MatchAt(text, position + consumed, key, matched + length)
            : -1;
    }

    /// <summary>The value of <paramref name="count"/> hex digits (either case) at <paramref name="start"/>; -1 if they are not.</summary>
    private static int Hex(byte[] text, int start, int count)
    {
        if (start + count > text.Length)
        {
            return -1;
        }

        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = HexDigit(text[i]);
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
