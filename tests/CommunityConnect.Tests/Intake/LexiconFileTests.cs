using CommunityConnect.Api.Features.Intake;

namespace CommunityConnect.Tests.Intake;

/// <summary>The data files a community worker edits: they load, and a mistake in them is named at start-up.</summary>
public sealed class LexiconFileTests
{
    [Fact]
    public void EveryShippedLexiconFileLoadsWithoutDuplicatesInASection()
    {
        foreach (var (file, _, sections) in IntakeLexicon.Files)
        {
            var terms = IntakeLexicon.ReadTerms(Path.Combine(IntakeFixtures.DataFolder, file), sections).ToList();
            Assert.NotEmpty(terms);
            var duplicates = terms.GroupBy(t => (t.Section, t.Term)).Where(g => g.Count() > 1).Select(g => $"{sections[g.Key.Section]}: {g.Key.Term}").ToList();
            Assert.True(duplicates.Count == 0, $"{file} lists a word twice in one section: {string.Join(", ", duplicates)}");
        }
    }

    [Fact]
    public void AnUnknownSectionIsRefusedWithTheFileAndLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"categories-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "# a worker's typo\n[water]\n3 漏水\n[watr]\n2 渗水\n");
        try
        {
            var error = Assert.Throws<InvalidDataException>(() => IntakeLexicon.ReadTerms(path, LexiconSections.Categories).ToList());
            Assert.Contains("line 4", error.Message);
            Assert.Contains("[watr]", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AWeightIsOptionalAndAppliesToEveryWordOfItsLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"categories-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "[water]\n3 漏水 渗水\n水管\n[gas]\n2.5 煤气味\n");
        try
        {
            var terms = IntakeLexicon.ReadTerms(path, LexiconSections.Categories).ToList();
            Assert.Equal([("漏水", 3f), ("渗水", 3f), ("水管", 1f), ("煤气味", 2.5f)], terms.Select(t => (t.Term, t.Weight)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OwnCasesAreLabelledAsTheTaxonomySays()
    {
        foreach (var message in IntakeFixtures.Cases)
        {
            Assert.Equal(IntakeEngine.RoutingOf(message.Intent, message.Category), message.ResponsibleBody);
            if (message.Intent == Intents.Other)
            {
                Assert.Equal("other", message.Category);
            }
        }
        Assert.True(IntakeFixtures.Cases.Count >= 600);
        Assert.Empty(IntakeFixtures.Cases.Select(c => c.Text).Intersect(IntakeFixtures.Corpus.Select(c => c.Text)));
    }
}
