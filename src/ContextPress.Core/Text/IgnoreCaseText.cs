using System.Buffers;
using System.Text;

namespace ContextPress.Text;

/// <summary>
/// A text searched for many values with <see cref="StringComparison.OrdinalIgnoreCase"/> semantics, fast under
/// invariant globalization too: there .NET's ignore-case <c>IndexOf</c> is a per-character loop, which made term
/// matching most of a history compression's time. An all-ASCII text is lower-cased once and searched ordinally
/// (vectorized) for ASCII values; any other text or value takes the framework's search, so results never differ.
/// </summary>
/// <remarks>
/// Between ASCII characters, ignoring case means ASCII case folding, and folding keeps every character in place, so
/// positions in the folded copy are positions in the text.
/// </remarks>
internal ref struct IgnoreCaseText
{
    private const int MaxStackValueLength = 128;

    private readonly ReadOnlySpan<char> _text;
    private readonly ReadOnlySpan<char> _lower;
    private char[]? _rented;

    /// <summary>Initializes a new instance of the <see cref="IgnoreCaseText"/> struct; dispose it to return its buffer.</summary>
    /// <param name="text">The text to search.</param>
    public IgnoreCaseText(ReadOnlySpan<char> text)
    {
        _text = text;
        _rented = ArrayPool<char>.Shared.Rent(Math.Max(1, text.Length));
        if (Ascii.ToLower(text, _rented, out int written) == OperationStatus.Done)
        {
            _lower = _rented.AsSpan(0, written);
        }
        else
        {
            ArrayPool<char>.Shared.Return(_rented);
            _rented = null;
        }
    }

    /// <summary>Gets a value indicating whether the text holds <paramref name="value"/>, ignoring case.</summary>
    /// <param name="value">The value.</param>
    /// <returns>True when found.</returns>
    public readonly bool Contains(ReadOnlySpan<char> value) => IndexOf(value, 0) >= 0;

    /// <summary>Finds <paramref name="value"/> at or after <paramref name="start"/>, ignoring case.</summary>
    /// <param name="value">The value.</param>
    /// <param name="start">Where the search starts.</param>
    /// <returns>The index in the text, or -1.</returns>
    public readonly int IndexOf(ReadOnlySpan<char> value, int start)
    {
        int at;
        if (_rented is not null && value.Length <= MaxStackValueLength && Ascii.IsValid(value))
        {
            Span<char> lowerValue = stackalloc char[value.Length];
            Ascii.ToLower(value, lowerValue, out _);
            at = _lower[start..].IndexOf(lowerValue, StringComparison.Ordinal);
        }
        else
        {
            at = _text[start..].IndexOf(value, StringComparison.OrdinalIgnoreCase);
        }

        return at < 0 ? -1 : at + start;
    }

    /// <summary>Returns the folded copy's buffer.</summary>
    public void Dispose()
    {
        if (_rented is not null)
        {
            ArrayPool<char>.Shared.Return(_rented);
            _rented = null;
        }
    }
}
