using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ContextPress.Tokens;

namespace ContextPress.Segments;

/// <summary>Cuts documents into segments; the cuts depend only on the text and the settings, so they are stable across calls.</summary>
internal static class DocumentSegmenter
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static SegmentedDocument Split(string text, SegmentationMode mode, int maxSegmentTokens, ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(counter);
        if (mode == SegmentationMode.Auto)
        {
            mode = Compression.Json.StructuredJsonCompressor.LooksLikeJson(text) ? SegmentationMode.JsonElement : SegmentationMode.Paragraph;
        }

        return mode switch
        {
            SegmentationMode.JsonElement => SplitJson(text, counter),
            SegmentationMode.Paragraph or SegmentationMode.Sentence or SegmentationMode.TokenWindow => SplitText(text, mode, maxSegmentTokens, counter),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown segmentation mode."),
        };
    }

    private static SegmentedDocument SplitText(string text, SegmentationMode mode, int maxTokens, ITokenCounter counter)
    {
        int first = 0;
        while (first < text.Length && char.IsWhiteSpace(text[first]))
        {
            first++;
        }

        int last = text.Length;
        while (last > first && char.IsWhiteSpace(text[last - 1]))
        {
            last--;
        }

        var segments = new List<TextSegment>();
        var pieces = new List<Piece>();
        if (first < last)
        {
            switch (mode)
            {
                case SegmentationMode.Paragraph:
                    foreach (Piece paragraph in Paragraphs(text, first, last))
                    {
                        int tokens = counter.CountTokens(text.AsSpan(paragraph.Start, paragraph.End - paragraph.Start));
                        if (tokens <= maxTokens)
                        {
                            segments.Add(Create(text, paragraph, segments.Count, tokens));
                            continue;
                        }

                        pieces.Clear();
                        PackSentences(text, paragraph.Start, paragraph.End, maxTokens, counter, pieces);
                        pieces[^1] = pieces[^1] with { SeparatorEnd = paragraph.SeparatorEnd };
                        AddAll(text, pieces, counter, segments);
                    }

                    break;
                case SegmentationMode.Sentence:
                    foreach (Piece sentence in Sentences(text, first, last))
                    {
                        int tokens = counter.CountTokens(text.AsSpan(sentence.Start, sentence.End - sentence.Start));
                        if (tokens <= maxTokens)
                        {
                            pieces.Add(sentence);
                        }
                        else
                        {
                            Windows(text, sentence.Start, sentence.End, maxTokens, counter, pieces);
                            pieces[^1] = pieces[^1] with { SeparatorEnd = sentence.SeparatorEnd };
                        }
                    }

                    AddAll(text, pieces, counter, segments);
                    break;
                default:
                    Windows(text, first, last, maxTokens, counter, pieces);
                    AddAll(text, pieces, counter, segments);
                    break;
            }

            // The document's trailing whitespace belongs to the last segment's separator.
            TextSegment tail = segments[^1];
            segments[^1] = new TextSegment { Index = tail.Index, Kind = tail.Kind, Text = tail.Text, Tokens = tail.Tokens, Separator = tail.Separator + text[last..] };
        }

        return new SegmentedDocument
        {
            Layout = SegmentLayout.Text,
            Prefix = first < last ? text[..first] : text,
            Segments = segments,
            Suffix = string.Empty,
        };
    }

    private static void AddAll(string text, List<Piece> pieces, ITokenCounter counter, List<TextSegment> segments)
    {
        foreach (Piece piece in pieces)
        {
            segments.Add(Create(text, piece, segments.Count, counter.CountTokens(text.AsSpan(piece.Start, piece.End - piece.Start))));
        }

        pieces.Clear();
    }

    private static TextSegment Create(string text, Piece piece, int index, int tokens) => new()
    {
        Index = index,
        Kind = SegmentKind.Prose,
        Text = text[piece.Start..piece.End],
        Separator = text[piece.End..piece.SeparatorEnd],
        Tokens = tokens,
    };

    /// <summary>Paragraphs of text[start..end) (trimmed), split at blank lines; each piece's separator is the whitespace run after it.</summary>
    private static List<Piece> Paragraphs(string text, int start, int end)
    {
        var result = new List<Piece>();
        int paragraphStart = start;
        int i = start;
        while (i < end)
        {
            if (text[i] == '\n' && IsBlankLineAfter(text, i, end))
            {
                int contentEnd = i;
                while (contentEnd > paragraphStart && char.IsWhiteSpace(text[contentEnd - 1]))
                {
                    contentEnd--;
                }

                int next = i;
                while (next < end && char.IsWhiteSpace(text[next]))
                {
                    next++;
                }

                result.Add(new Piece(paragraphStart, contentEnd, next));
                paragraphStart = next;
                i = next;
                continue;
            }

            i++;
        }

        result.Add(new Piece(paragraphStart, end, end));
        return result;
    }

    private static bool IsBlankLineAfter(string text, int newline, int end)
    {
        for (int j = newline + 1; j < end; j++)
        {
            char c = text[j];
            if (c == '\n')
            {
                return true;
            }

            if (c is not (' ' or '\t' or '\r'))
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Sentences (or lines) of text[start..end), which starts and ends with non-whitespace.</summary>
    private static List<Piece> Sentences(string text, int start, int end)
    {
        var result = new List<Piece>();
        int sentenceStart = start;
        int i = start;
        while (i < end)
        {
            char c = text[i];
            int after = -1;
            if (c is '\u3002' or '\uFF01' or '\uFF1F')
            {
                after = i + 1;
            }
            else if (c is '.' or '!' or '?' or '\n')
            {
                int j = i + 1;
                while (j < end && text[j] is '"' or '\'' or ')' or ']' or '\u00BB' or '\u201D' or '\u2019')
                {
                    j++;
                }

                if (c == '\n' || (j < end && char.IsWhiteSpace(text[j])))
                {
                    after = c == '\n' ? i : j;
                }
            }

            if (after < 0 || after >= end)
            {
                i++;
                continue;
            }

            int contentEnd = after;
            while (contentEnd > sentenceStart && char.IsWhiteSpace(text[contentEnd - 1]))
            {
                contentEnd--;
            }

            int next = after;
            while (next < end && char.IsWhiteSpace(text[next]))
            {
                next++;
            }

            if (contentEnd > sentenceStart)
            {
                result.Add(new Piece(sentenceStart, contentEnd, next));
            }

            sentenceStart = next;
            i = Math.Max(next, i + 1);
        }

        if (sentenceStart < end)
        {
            result.Add(new Piece(sentenceStart, end, end));
        }
        else if (result.Count > 0)
        {
            result[^1] = result[^1] with { SeparatorEnd = end };
        }

        return result;
    }

    /// <summary>Runs of whole sentences of text[start..end) within <paramref name="maxTokens"/>; longer sentences become windows.</summary>
    private static void PackSentences(string text, int start, int end, int maxTokens, ITokenCounter counter, List<Piece> output)
    {
        List<Piece> sentences = Sentences(text, start, end);
        int groupStart = -1;
        Piece groupLast = default;
        int groupTokens = 0;
        foreach (Piece sentence in sentences)
        {
            int tokens = counter.CountTokens(text.AsSpan(sentence.Start, sentence.End - sentence.Start));
            if (groupStart >= 0 && groupTokens + tokens > maxTokens)
            {
                output.Add(new Piece(groupStart, groupLast.End, groupLast.SeparatorEnd));
                groupStart = -1;
                groupTokens = 0;
            }

            if (tokens > maxTokens)
            {
                Windows(text, sentence.Start, sentence.End, maxTokens, counter, output);
                output[^1] = output[^1] with { SeparatorEnd = sentence.SeparatorEnd };
                continue;
            }

            if (groupStart < 0)
            {
                groupStart = sentence.Start;
            }

            groupLast = sentence;
            groupTokens += tokens;
        }

        if (groupStart >= 0)
        {
            output.Add(new Piece(groupStart, groupLast.End, groupLast.SeparatorEnd));
        }
    }

    /// <summary>Windows of whole words of text[start..end) of at most <paramref name="maxTokens"/> (a longer single word is one window).</summary>
    private static void Windows(string text, int start, int end, int maxTokens, ITokenCounter counter, List<Piece> output)
    {
        int windowStart = start;
        int windowTokens = 0;
        int lastWordEnd = start;
        int i = start;
        while (i < end)
        {
            int wordStart = i;
            while (i < end && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            int wordEnd = i;
            while (i < end && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            int tokens = counter.CountTokens(text.AsSpan(wordStart, wordEnd - wordStart));
            if (windowTokens > 0 && windowTokens + tokens > maxTokens)
            {
                output.Add(new Piece(windowStart, lastWordEnd, wordStart));
                windowStart = wordStart;
                windowTokens = 0;
            }

            windowTokens += tokens;
            lastWordEnd = wordEnd;
        }

        output.Add(new Piece(windowStart, lastWordEnd, end));
    }

    private static SegmentedDocument SplitJson(string text, ITokenCounter counter)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new FormatException(ex.Message, ex);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            var segments = new List<TextSegment>();
            var buffer = new ArrayBufferWriter<byte>(256);
            using var writer = new Utf8JsonWriter(buffer, s_writerOptions);
            switch (root.ValueKind)
            {
                case JsonValueKind.Array:
                    foreach (JsonElement element in root.EnumerateArray())
                    {
                        string json = Minify(element, buffer, writer);
                        segments.Add(new TextSegment { Index = segments.Count, Kind = SegmentKind.Json, Text = json, Separator = ",", Tokens = counter.CountTokens(json) });
                    }

                    break;
                case JsonValueKind.Object:
                    foreach (JsonProperty property in root.EnumerateObject())
                    {
                        string json = Minify(property.Value, buffer, writer);
                        string name = "\"" + JsonEncodedText.Encode(property.Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value + "\":";
                        segments.Add(new TextSegment { Index = segments.Count, Kind = SegmentKind.Json, Text = json, Prefix = name, Separator = ",", Tokens = counter.CountTokens(json) });
                    }

                    break;
                default:
                    throw new FormatException("JSON element segmentation needs a top-level array or object.");
            }

            if (segments.Count > 0)
            {
                TextSegment tail = segments[^1];
                segments[^1] = new TextSegment { Index = tail.Index, Kind = tail.Kind, Text = tail.Text, Prefix = tail.Prefix, Tokens = tail.Tokens };
            }

            bool isArray = root.ValueKind == JsonValueKind.Array;
            return new SegmentedDocument
            {
                Layout = isArray ? SegmentLayout.JsonArray : SegmentLayout.JsonObject,
                Prefix = isArray ? "[" : "{",
                Segments = segments,
                Suffix = isArray ? "]" : "}",
            };
        }
    }

    private static string Minify(JsonElement element, ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        element.WriteTo(writer);
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A segment's text is text[Start..End); its separator text[End..SeparatorEnd).</summary>
    private readonly record struct Piece(int Start, int End, int SeparatorEnd);
}
