namespace ContextPress.ModelLab;

/// <summary>The context-free baseline a trained model must beat: token frequencies with add-one smoothing.</summary>
public static class UnigramBaseline
{
    /// <summary>Perplexity on <paramref name="evaluated"/> of the unigram fitted on <paramref name="fitted"/>.</summary>
    public static PerplexityResult Perplexity(IReadOnlyList<int> fitted, IReadOnlyList<int> evaluated, int vocabSize = ByteCorpus.VocabSize)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        ArgumentNullException.ThrowIfNull(evaluated);
        var counts = new double[vocabSize];
        foreach (var token in fitted)
        {
            counts[token]++;
        }
        var total = fitted.Count + vocabSize;
        var nll = evaluated.Sum(token => -Math.Log((counts[token] + 1) / total));
        return new PerplexityResult(nll, evaluated.Count);
    }
}
