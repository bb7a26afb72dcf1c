using ContextPress.Compression.Json;
using ContextPress.Context;
using ContextPress.Scoring;
using ContextPress.Text;
using ContextPress.Tokens;

namespace ContextPress.History;

/// <summary>How far an item has been degraded.</summary>
internal enum DegradeLevel
{
    Keep,
    Half,
    Quarter,
    Stub,

    /// <summary>A stub that keeps the best-matching record and the values the plan, request or pending calls name.</summary>
    MinimalStub,

    /// <summary>A stub that keeps the values the plan, request or pending calls name and the record naming them.</summary>
    NamedStub,

    /// <summary>A stub that keeps only the values the plan, request or pending calls name.</summary>
    BareStub,
}

/// <summary>The working state of one item during a <see cref="ContextCompressor"/> call.</summary>
internal sealed class ItemState(int index, ContextItem item, int tokens, int callTokens)
{
    public int Index { get; } = index;

    public ContextItem Item { get; } = item;

    public int OriginalTokens { get; } = tokens;

    /// <summary>Gets the tokens of the tool calls' names and arguments, which are never compressed.</summary>
    public int CallTokens { get; } = callTokens;

    public int Tokens { get; set; } = tokens;

    public string? Text { get; set; }

    public DegradeLevel Level { get; set; }

    public ContextAction Action { get; set; } = ContextAction.Keep;

    public bool Protected { get; set; }

    public bool IsJson { get; set; }

    /// <summary>Gets or sets the scored records and lines of the item, built by its first stub for the smaller ones.</summary>
    public List<HistoryStub.Segment>? StubSegments { get; set; }

    /// <summary>Gets or sets the parsed JSON result and what its compressions so far computed, shared by its levels.</summary>
    public JsonCompressionSession? JsonSession { get; set; }

    public int Group { get; set; } = -1;

    public double Relevance { get; set; }

    public double Utility { get; set; }

    /// <summary>Gets the versions this item had before each change that saved tokens, newest last.</summary>
    public Stack<(string? Text, int Tokens, ContextAction Action)> Previous { get; } = new();

    /// <summary>Records the current version, then applies a smaller one.</summary>
    public void Apply(string text, int tokens, ContextAction action)
    {
        Previous.Push((Text, Tokens, Action));
        Text = text;
        Tokens = tokens;
        Action = action;
    }
}

/// <summary>Everything <see cref="ContextCompressor"/> decides before degrading: protection, groups, budget, relevance.</summary>
internal sealed class HistoryPlan
{
    private readonly ItemState[] _states;

    private HistoryPlan(ITokenCounter tokenCounter, ItemState[] states, int budget, string planText, IReadOnlyCollection<string> relevantTerms, IReadOnlyCollection<string> referencedValues)
    {
        _states = states;
        TokenCounter = tokenCounter;
        Budget = budget;
        PlanText = planText;
        RelevantTerms = relevantTerms;
        ReferencedValues = referencedValues;
        TotalTokens = states.Sum(s => s.Tokens);
    }

    public int Budget { get; }

    /// <summary>Gets the counter budgets are measured with.</summary>
    public ITokenCounter TokenCounter { get; }

    public int TotalTokens { get; }

    /// <summary>Gets the next plan steps and the latest request (or, without a plan, what the latest turns imply).</summary>
    public string PlanText { get; }

    public IReadOnlyCollection<string> RelevantTerms { get; }

    /// <summary>Gets values named by the plan, the latest request or pending calls: never removed from any item.</summary>
    public IReadOnlyCollection<string> ReferencedValues { get; }

    public static HistoryPlan Create(ContextCompressor compressor, IReadOnlyList<ContextItem> items, ContextCompressionOptions options)
    {
        var states = new ItemState[items.Count];
        int systemTokens = 0;
        for (int i = 0; i < items.Count; i++)
        {
            ContextItem item = items[i];
            // As ContextCompressor.CountItemTokens counts, with each part counted once.
            ITokenCounter counter = compressor.TokenCounter;
            int callTokens = 0;
            foreach (ToolCall call in item.ToolCalls)
            {
                callTokens += counter.CountTokens(call.Name) + counter.CountTokens(call.ArgumentsJson) + ContextCompressor.MessageOverheadTokens;
            }

            int textTokens = counter.CountTokens(item.Text);
            states[i] = new ItemState(i, item, ContextCompressor.MessageOverheadTokens + textTokens + callTokens, callTokens);
            if (item.Kind is ContextItemKind.ToolResult or ContextItemKind.Document && MayBeJson(item.Text))
            {
                // Parsed once: the check and every later compression of the result share the document.
                try
                {
                    ITokenCounter jsonCounter = compressor.JsonCompressor.ProseCompressor.TokenCounter;
                    states[i].JsonSession = new JsonCompressionSession(item.Text, jsonCounter, ReferenceEquals(jsonCounter, counter) ? textTokens : null);
                    states[i].IsJson = true;
                }
                catch (FormatException)
                {
                    // Not JSON after all: compressed as prose.
                }
            }
            if (item.Kind == ContextItemKind.System)
            {
                systemTokens += states[i].Tokens;
            }
        }

        int total = states.Sum(s => s.Tokens);
        int budget = options.BudgetTokens ?? systemTokens + (int)Math.Floor(options.TargetRatio * (total - systemTokens));
        Protect(items, states, options);
        AssignGroups(items, states);

        string planText = PlanTextOf(items, options);
        IReadOnlyCollection<string> terms = TermsOf(planText);
        var referenced = new HashSet<string>(CriticalValues.Extract(planText), StringComparer.Ordinal);
        foreach (ItemState state in states)
        {
            if (state.Item.Kind == ContextItemKind.ToolCall && state.Protected)
            {
                foreach (ToolCall call in state.Item.ToolCalls)
                {
                    referenced.UnionWith(CriticalValues.Extract(call.ArgumentsJson));
                }
            }
        }

        // Short values ("40", "v2") occur everywhere by chance; only distinctive ones are worth pinning.
        referenced.RemoveWhere(v => v.Length < 4);

        Rank(states, terms, referenced);

        // Credentials in earlier results (passwords, access tokens, API keys) are what later login and API calls need,
        // yet no plan step or request names them: keep them like named values, without letting them steer relevance.
        foreach (ItemState state in states)
        {
            if (state.Item.Kind is ContextItemKind.ToolResult or ContextItemKind.Document)
            {
                referenced.UnionWith(state.JsonSession is { } session
                    ? CredentialValues.Extract(state.Item.Text, session.Document.RootElement)
                    : CredentialValues.Extract(state.Item.Text));
            }
        }

        return new HistoryPlan(compressor.TokenCounter, states, budget, planText, terms, referenced);
    }

    /// <summary>
    /// Returns the protected tool results and documents to compress without losing a value while the history of
    /// <paramref name="total"/> tokens is over the budget, largest first. Their prose and empty fields cost less than
    /// the values older items would lose as stubs, so they go first; none when the history fits, or when the protected
    /// items that cannot shrink (system messages, the request, calls) exceed the budget by themselves.
    /// </summary>
    public IReadOnlyList<ItemState> ShrinkableProtected(int total)
    {
        int fixedTokens = 0;
        foreach (ItemState state in _states)
        {
            fixedTokens += state.Protected && !IsShrinkableProtected(state) ? state.Tokens : 0;
        }

        if (total <= Budget || fixedTokens >= Budget)
        {
            return [];
        }

        return [.. _states.Where(s => s.Protected && IsShrinkableProtected(s)).OrderByDescending(s => s.Tokens).ThenBy(s => s.Index)];
    }

    private static bool IsShrinkableProtected(ItemState state) =>
        state.Item.Kind is ContextItemKind.ToolResult or ContextItemKind.Document && !state.Item.Pinned && state.Item.Text.Length > 0;

    /// <summary>True when the text is braced or bracketed, as a JSON object or array is (whether it parses is checked once).</summary>
    private static bool MayBeJson(string text)
    {
        ReadOnlySpan<char> trimmed = text.AsSpan().Trim();
        return trimmed.Length >= 2 && ((trimmed[0] == '{' && trimmed[^1] == '}') || (trimmed[0] == '[' && trimmed[^1] == ']'));
    }

    /// <summary>Returns the referenced values that occur in <paramref name="text"/>.</summary>
    public IEnumerable<string> ReferencedValuesIn(string text) =>
        ReferencedValues.Where(v => text.Contains(v, StringComparison.Ordinal));

    /// <summary>
    /// Returns the candidate with the lowest priority: utility plus a penalty per level already taken, so degradation
    /// spreads from the least useful items; drops come only after every candidate is a stub.
    /// </summary>
    public ItemState? NextToDegrade()
    {
        ItemState? best = null;
        double bestPriority = double.MaxValue;
        foreach (ItemState state in _states)
        {
            if (!CanDegrade(state))
            {
                continue;
            }

            double priority = state.Utility + (0.25 * (int)state.Level) + (state.Level == DegradeLevel.BareStub ? 1.6 : 0);
            if (priority < bestPriority)
            {
                best = state;
                bestPriority = priority;
            }
        }

        return best;
    }

    /// <summary>Drops the call/result group of <paramref name="state"/>; returns the tokens saved.</summary>
    public int DropGroup(ItemState state)
    {
        int saved = 0;
        foreach (ItemState member in _states)
        {
            if (member.Group == state.Group && member.Action != ContextAction.Drop)
            {
                saved += member.Tokens;
                member.Tokens = 0;
                member.Action = ContextAction.Drop;
            }
        }

        return saved;
    }

    /// <summary>
    /// Gives back budget left over after degrading (levels overshoot: a stub saves far more than the last tokens
    /// needed): the most useful degraded items return to their previous, fuller versions while the total fits.
    /// </summary>
    /// <returns>The new total.</returns>
    public int Restore(int total)
    {
        foreach (ItemState state in _states.Where(s => s.Previous.Count > 0 && s.Action != ContextAction.Drop).OrderByDescending(s => s.Utility).ThenBy(s => s.Index))
        {
            while (state.Previous.Count > 0 && total - state.Tokens + state.Previous.Peek().Tokens <= Budget)
            {
                (string? text, int tokens, ContextAction action) = state.Previous.Pop();
                total += tokens - state.Tokens;
                (state.Text, state.Tokens, state.Action) = (text, tokens, action);
            }
        }

        return total;
    }

    /// <summary>Releases the parsed JSON results.</summary>
    public void ReleaseSessions()
    {
        foreach (ItemState state in _states)
        {
            state.JsonSession?.Dispose();
            state.JsonSession = null;
            state.StubSegments = null;
        }
    }

    public ContextCompressionResult ToResult(int total, string encodingName, TimeSpan elapsed)
    {
        var items = new List<ContextItem>(_states.Length);
        var reports = new ContextItemReport[_states.Length];
        foreach (ItemState state in _states)
        {
            if (state.Action != ContextAction.Drop)
            {
                items.Add(state.Text is null ? state.Item : state.Item.WithText(state.Text));
            }

            reports[state.Index] = new ContextItemReport(state.Index, state.Item.Kind, state.Action, state.OriginalTokens, state.Tokens, state.Protected, Math.Round(state.Relevance, 3));
        }

        return new ContextCompressionResult
        {
            Items = items,
            ItemReports = reports,
            TokensBefore = TotalTokens,
            TokensAfter = total,
            BudgetTokens = Budget,
            BudgetFeasible = total <= Budget,
            EncodingName = encodingName,
            Elapsed = elapsed,
        };
    }

    private bool CanDegrade(ItemState state)
    {
        if (state.Protected || state.Action == ContextAction.Drop)
        {
            return false;
        }

        if (state.Level < DegradeLevel.BareStub)
        {
            // A tool-call message is only its (uncompressible) calls when it has no text: it goes with its group.
            return state.Item.Kind != ContextItemKind.ToolCall || state.Item.Text.Length > 0;
        }

        // Only whole call/result groups are dropped, and only when no member is protected or holds a referenced value.
        return state.Item.Kind == ContextItemKind.ToolResult && state.Group >= 0
            && _states.All(s => s.Group != state.Group || (!s.Protected && !ReferencedValuesIn(s.Item.Text).Any()));
    }

    private static void Protect(IReadOnlyList<ContextItem> items, ItemState[] states, ContextCompressionOptions options)
    {
        int lastUser = -1;
        int maxTurn = 0;
        var answered = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            lastUser = items[i].Kind == ContextItemKind.User ? i : lastUser;
            maxTurn = Math.Max(maxTurn, items[i].Turn);
            if (items[i].Kind == ContextItemKind.ToolResult && items[i].ToolCallId is { } id)
            {
                answered.Add(id);
            }
        }

        int recentFrom = items.Count;
        int steps = 0;
        for (int i = items.Count - 1; i >= 0 && steps < options.ProtectedRecentSteps; i--)
        {
            if (items[i].Kind is ContextItemKind.ToolCall or ContextItemKind.Assistant)
            {
                recentFrom = i;
                steps++;
            }
        }

        for (int i = 0; i < items.Count; i++)
        {
            ContextItem item = items[i];
            states[i].Protected = item.Kind is ContextItemKind.System or ContextItemKind.PlanNote
                || item.Pinned
                || i == lastUser
                || i >= recentFrom
                || (options.ProtectedRecentTurns > 0 && item.Turn > maxTurn - options.ProtectedRecentTurns)
                || (item.Kind == ContextItemKind.ToolCall && item.ToolCalls.Any(c => !answered.Contains(c.CallId)));
        }
    }

    private static void AssignGroups(IReadOnlyList<ContextItem> items, ItemState[] states)
    {
        var groupOfCall = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            if (items[i].Kind == ContextItemKind.ToolCall)
            {
                states[i].Group = i;
                foreach (ToolCall call in items[i].ToolCalls)
                {
                    groupOfCall[call.CallId] = i;
                }
            }
            else if (items[i].Kind == ContextItemKind.ToolResult && items[i].ToolCallId is { } id && groupOfCall.TryGetValue(id, out int group))
            {
                states[i].Group = group;
            }
        }
    }

    private static string PlanTextOf(IReadOnlyList<ContextItem> items, ContextCompressionOptions options)
    {
        ContextItem? lastUser = items.LastOrDefault(i => i.Kind == ContextItemKind.User);
        if (options.Plan is { Steps.Count: > 0 } plan)
        {
            return plan.NextSteps(options.LookaheadSteps) + "\n" + lastUser?.Text;
        }

        // No plan: what the agent is doing now is the latest request, its latest words and its latest calls.
        IEnumerable<string> recent = items.Reverse().Where(i => i.Kind is ContextItemKind.Assistant or ContextItemKind.ToolCall).Take(2)
            .Select(i => i.Text + " " + string.Join(' ', i.ToolCalls.Select(c => c.Name.Replace('_', ' ').Replace('-', ' '))));
        return string.Join('\n', recent.Prepend(lastUser?.Text ?? string.Empty));
    }

    private static HashSet<string> TermsOf(string text)
    {
        var words = new List<WordSpan>();
        WordSplitter.Split(text, words);
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (WordSpan word in words)
        {
            string lower = word.Core(text).ToString().ToLowerInvariant();
            if ((word.Traits & WordTraits.Letter) != 0 && lower.Length >= 3 && !FunctionWords.Contains(lower))
            {
                terms.Add(lower);
            }
        }

        return terms;
    }

    /// <summary>
    /// Counts the <paramref name="terms"/> (lower-case words) that occur in <paramref name="text"/> as whole words,
    /// ignoring case: what splitting the text into its words would find, without splitting a large result.
    /// </summary>
    internal static int CountWordsIn(string text, IReadOnlyCollection<string> terms)
    {
        int count = 0;
        ReadOnlySpan<char> span = text.AsSpan();
        using var search = new IgnoreCaseText(span);
        foreach (string term in terms)
        {
            int from = 0;
            while (from < span.Length)
            {
                int at = search.IndexOf(term, from);
                if (at < 0)
                {
                    break;
                }

                int end = at + term.Length;
                if (!IsWordChar(span, at - 1) && !IsWordChar(span, end))
                {
                    count++;
                    break;
                }

                from = at + 1;
            }
        }

        return count;
    }

    /// <summary>True when the character at <paramref name="index"/> continues a word (<c>account_name</c>, <c>city-power</c>, <c>a.b@c.d</c> are one word each).</summary>
    private static bool IsWordChar(ReadOnlySpan<char> text, int index)
    {
        if (index < 0 || index >= text.Length)
        {
            return false;
        }

        char c = text[index];
        if (char.IsLetterOrDigit(c) || c is '_' or '@')
        {
            return true;
        }

        // Inner punctuation joins: "city-power", "a.b", but not a sentence's full stop or a quoted word's hyphen run.
        return c is '-' or '.' or '\''
            && index > 0 && index + 1 < text.Length
            && char.IsLetterOrDigit(text[index - 1]) && char.IsLetterOrDigit(text[index + 1]);
    }

    private static void Rank(ItemState[] states, IReadOnlyCollection<string> terms, HashSet<string> referenced)
    {
        var overlap = new double[states.Length];
        for (int i = 0; i < states.Length; i++)
        {
            ItemState state = states[i];

            // A result is about what its tool does: its name counts as part of its text (get_shipping → "get shipping").
            string text = state.Item.Text + " " + state.Item.ToolName?.Replace('_', ' ').Replace('-', ' ') + " "
                + string.Join(' ', state.Item.ToolCalls.Select(c => c.Name.Replace('_', ' ').Replace('-', ' ') + " " + c.ArgumentsJson));
            if (terms.Count > 0)
            {
                overlap[i] = CountWordsIn(text, terms);
            }

            if (referenced.Any(v => text.Contains(v, StringComparison.Ordinal)))
            {
                overlap[i] += terms.Count + 1; // naming a value the next steps use outranks any term overlap
            }
        }

        // Relevance is relative: the item that shares most with the plan is 1.
        double best = overlap.Max();
        for (int i = 0; i < states.Length; i++)
        {
            states[i].Relevance = best > 0 ? overlap[i] / best : 0;
            states[i].Utility = (0.7 * states[i].Relevance) + (0.3 * (i + 1) / states.Length);
        }
    }
}
