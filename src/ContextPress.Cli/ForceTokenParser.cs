using System.Text;

namespace ContextPress.Cli;

/// <summary>Parses <c>--force-tokens</c> values: comma-separated, repeatable, with backslash escapes.</summary>
internal static class ForceTokenParser
{
    /// <summary>
    /// Splits each value on unescaped commas and unescapes <c>\n</c>, <c>\t</c>, <c>\r</c>, <c>\\</c> and <c>\,</c>;
    /// any other backslash is kept as typed. Duplicates are removed, order kept.
    /// </summary>
    /// <exception cref="CliException">A value yields no token (for example <c>""</c> or <c>","</c>).</exception>
    public static IReadOnlyList<string> Parse(IEnumerable<string> values)
    {
        var tokens = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int found = 0;
            foreach (string token in Split(value))
            {
                found++;
                if (seen.Add(token))
                {
                    tokens.Add(token);
                }
            }

            if (found == 0)
            {
                throw CliException.Usage($"--force-tokens '{value}' has no token; separate tokens with commas and write a literal comma as \\,");
            }
        }

        return tokens;
    }

    private static IEnumerable<string> Split(string value)
    {
        var current = new StringBuilder();
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == ',')
            {
                if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                }

                continue;
            }

            if (c == '\\' && i + 1 < value.Length)
            {
                char escaped = value[i + 1] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '\\' => '\\',
                    ',' => ',',
                    _ => '\0',
                };
                if (escaped != '\0')
                {
                    current.Append(escaped);
                    i++;
                    continue;
                }
            }

            current.Append(c);
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }
}
