using ContextPress.Compression;

namespace ContextPress.Tests.Compression;

public class BudgetSelectorTests
{
    /// <summary>The sorted selection used for short texts keeps exactly the words the bucket counting sort keeps.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void SortedSelectionMatchesBucketSelection(int seed)
    {
        var random = new Random(seed);
        for (int trial = 0; trial < 200; trial++)
        {
            int words = random.Next(0, 300);
            var probabilities = new float[words];
            var weights = new int[words];
            var preKept = new bool[words];
            for (int w = 0; w < words; w++)
            {
                // Few distinct probabilities make ties (the same bucket) common, where text order decides.
                probabilities[w] = trial % 2 == 0 ? random.Next(0, 8) / 7f : (float)random.NextDouble();
                weights[w] = random.Next(0, 5);
                preKept[w] = random.Next(0, 6) == 0;
            }

            int budget = random.Next(-2, (2 * words) + 1);
            bool[] byBuckets = (bool[])preKept.Clone();
            bool[] sorted = (bool[])preKept.Clone();

            int addedByBuckets = BudgetSelector.SelectByBuckets(probabilities, weights, byBuckets, budget);
            int addedSorted = BudgetSelector.SelectSorted(probabilities, weights, sorted, budget);

            Assert.Equal(addedByBuckets, addedSorted);
            Assert.Equal(byBuckets, sorted);
        }
    }
}
