using System.Text.Json;
using System.Text.RegularExpressions;

namespace ContextPress.History;

/// <summary>
/// Finds credentials in tool results — values of fields such as <c>password</c>, <c>access_token</c> or <c>api_key</c>,
/// and <c>password: …</c> in prose — which later login or API calls need although no plan step or request names them.
/// </summary>
public static partial class CredentialValues
{
    private const int MinLength = 4;
    private const int MaxLength = 512;

    private static readonly string[] s_credentialSuffixes =
        ["password", "passwd", "passcode", "passphrase", "secret", "token", "apikey", "accesskey", "secretkey", "privatekey", "credential", "credentials"];

    /// <summary>Gets the credential values in <paramref name="text"/>: JSON fields with credential names, or "name: value" pairs in prose.</summary>
    /// <param name="text">A tool result or document.</param>
    /// <returns>The values, in order of appearance, without duplicates.</returns>
    public static IReadOnlyList<string> Extract(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        List<string> values = [];
        if (!FieldNamePattern().IsMatch(text))
        {
            return values;
        }

        if (!TryExtractJson(text, values))
        {
            foreach (Match match in ProsePattern().Matches(text))
            {
                Add(values, match.Groups["value"].Value.TrimEnd('.', ',', ';', ')'));
            }
        }

        return values;
    }

    /// <summary>
    /// Gets the credential values of a JSON tool result already parsed as <paramref name="root"/>: what
    /// <see cref="Extract(string)"/> finds in <paramref name="text"/>, without reading it again.
    /// </summary>
    internal static IReadOnlyList<string> Extract(string text, JsonElement root)
    {
        List<string> values = [];
        if (FieldNamePattern().IsMatch(text))
        {
            Collect(root, values);
        }

        return values;

        static void Collect(JsonElement element, List<string> values)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty property in element.EnumerateObject())
                    {
                        if (property.Value.ValueKind == JsonValueKind.String)
                        {
                            if (Compression.Json.JsonElementText.TryGetName(property, out string? name) && IsCredentialName(name)
                                && Compression.Json.JsonElementText.TryGetString(property.Value, out string? value))
                            {
                                Add(values, value);
                            }
                        }
                        else
                        {
                            Collect(property.Value, values);
                        }
                    }

                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in element.EnumerateArray())
                    {
                        Collect(item, values);
                    }

                    break;
            }
        }
    }

    /// <summary>Gets a value indicating whether a field name names a credential (<c>password</c>, <c>accessToken</c>, <c>API-Key</c>, ...).</summary>
    /// <param name="name">The field name.</param>
    /// <returns><see langword="true"/> for credential names.</returns>
    public static bool IsCredentialName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 64)];
        int length = 0;
        foreach (char c in name.AsSpan(0, Math.Min(name.Length, 64)))
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        // "password", "user_password", "accessToken", "next_page_token", "X-API-Key", "client_secret"; not "token_type" or "max_tokens".
        ReadOnlySpan<char> normalized = buffer[..length];
        foreach (string suffix in s_credentialSuffixes)
        {
            if (normalized.EndsWith(suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryExtractJson(string text, List<string> values)
    {
        ReadOnlySpan<char> trimmed = text.AsSpan().TrimStart();
        if (trimmed.IsEmpty || (trimmed[0] != '{' && trimmed[0] != '['))
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            bool credentialField = false;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    credentialField = IsCredentialName(reader.GetString() ?? string.Empty);
                }
                else
                {
                    if (credentialField && reader.TokenType == JsonTokenType.String)
                    {
                        Add(values, reader.GetString() ?? string.Empty);
                    }

                    credentialField = false;
                }
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void Add(List<string> values, string value)
    {
        if (value.Length is >= MinLength and <= MaxLength && !value.Contains(' ', StringComparison.Ordinal) && !values.Contains(value))
        {
            values.Add(value);
        }
    }

    // Cheap pre-check: most results hold no credential field at all.
    [GeneratedRegex(@"pass|token|secret|key|credential", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldNamePattern();

    [GeneratedRegex(@"\b(?:password|passcode|passphrase|access[ _-]?token|api[ _-]?key|secret)\s*(?:is|[:=])\s*[""']?(?<value>[^\s""']+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ProsePattern();
}
