using System.Collections.Frozen;

namespace ContextPress.Scoring;

/// <summary>English function words: articles, pronouns, auxiliaries, prepositions, conjunctions and fillers.</summary>
/// <remarks>
/// They carry grammar, not facts, and an LLM restores them from context; LLMLingua-2's annotators dropped them first.
/// BPE ranks alone rank them low already, the list makes that certain for the frequent ones.
/// </remarks>
internal static class FunctionWords
{
    private const string Words =
        "a an the this that these those there here it its it's itself i me my mine myself we us our ours ourselves you your yours " +
        "yourself yourselves he him his himself she her hers herself they them their theirs themselves one ones " +
        "is am are was were be been being do does did doing done have has had having will would shall should can could " +
        "may might must ought 's 're 've 'd 'll 'm " +
        "of to in on at by for with about against between into through during before after above below from up down out " +
        "off over under again further then once onto upon within without toward towards via per among across along around " +
        "and or but nor so yet if because as until while although though whether than also too very just only even " +
        "what which who whom whose when where why how all any both each few more most other some such no not own same " +
        "don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't shouldn't " +
        "really quite rather perhaps maybe actually basically simply well oh um uh like okay ok yeah yes so-called " +
        "thus therefore however moreover furthermore hence indeed still already almost always often usually sometimes " +
        "something anything nothing everything someone anyone everyone somebody anybody nobody thing things " +
        "get got gets getting make made makes let lets say said says go goes went going";

    private static readonly FrozenSet<string> s_words = Words.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> s_lookup = s_words.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when <paramref name="lowerCaseWord"/> (already lower-cased) is a function word.</summary>
    public static bool Contains(ReadOnlySpan<char> lowerCaseWord) => s_lookup.Contains(lowerCaseWord);
}
