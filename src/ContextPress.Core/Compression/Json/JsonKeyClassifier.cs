namespace ContextPress.Compression.Json;

/// <summary>Recognises id-like and essential keys by their words (<c>order_id</c>, <c>orderId</c>, <c>created-at</c>).</summary>
internal static class JsonKeyClassifier
{
    /// <summary>Last words that make a key an identifier.</summary>
    private static readonly HashSet<string> s_idWords = new(StringComparer.Ordinal)
    {
        "id", "ids", "uuid", "uuids", "guid", "guids", "key", "ref", "sku", "slug", "identifier", "urn", "number", "no", "code", "handle",
    };

    /// <summary>Words that make a key essential wherever they occur in it.</summary>
    private static readonly HashSet<string> s_essentialWords = new(StringComparer.Ordinal)
    {
        "id", "ids", "uuid", "guid", "sku", "name", "names", "title", "label", "username", "login", "email", "phone",
        "amount", "total", "subtotal", "price", "cost", "balance", "currency", "quantity", "qty", "count", "tax", "fee",
        "date", "timestamp", "deadline", "due", "status", "state", "type", "kind", "role", "severity", "priority", "error",
    };

    /// <summary>Last words that make a key essential (<c>created_at</c>, <c>dueOn</c>, <c>start_time</c>).</summary>
    private static readonly HashSet<string> s_essentialLastWords = new(StringComparer.Ordinal)
    {
        "at", "on", "time", "code", "key", "ref", "number", "no", "slug", "handle",
    };

    /// <summary>True when <paramref name="key"/> names an identifier: <c>id</c>, <c>_id</c>, <c>*_id</c>, <c>*Id</c>, <c>uuid</c>, <c>sku</c>, ...</summary>
    public static bool IsIdLike(string key)
    {
        List<string> words = Words(key);
        return words.Count > 0 && s_idWords.Contains(words[^1]);
    }

    /// <summary>
    /// True for keys level 3 keeps in objects inside arrays: ids and names, amounts, dates and times, status and type,
    /// e-mails and codes.
    /// </summary>
    public static bool IsEssential(string key)
    {
        List<string> words = Words(key);
        if (words.Count == 0)
        {
            return false;
        }

        if (s_idWords.Contains(words[^1]) || s_essentialLastWords.Contains(words[^1]))
        {
            return true;
        }

        foreach (string word in words)
        {
            if (s_essentialWords.Contains(word))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Splits a key into lower-case words at separators and camel-case humps (<c>HTTPStatusCode</c>: http, status, code).</summary>
    internal static List<string> Words(string key)
    {
        var words = new List<string>(4);
        int start = -1;
        for (int i = 0; i <= key.Length; i++)
        {
            char c = i < key.Length ? key[i] : '\0';
            bool alnum = i < key.Length && char.IsLetterOrDigit(c);
            if (!alnum)
            {
                if (start >= 0)
                {
                    words.Add(key[start..i].ToLowerInvariant());
                    start = -1;
                }

                continue;
            }

            if (start >= 0 && IsHump(key, i))
            {
                words.Add(key[start..i].ToLowerInvariant());
                start = i;
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        return words;
    }

    private static bool IsHump(string key, int i)
    {
        char c = key[i];
        char previous = key[i - 1];
        if (!char.IsUpper(c))
        {
            return false;
        }

        // orderId: lower then upper; HTTPStatus: the last upper of a run followed by a lower starts a word.
        return char.IsLower(previous) || char.IsDigit(previous)
            || (char.IsUpper(previous) && i + 1 < key.Length && char.IsLower(key[i + 1]));
    }
}
