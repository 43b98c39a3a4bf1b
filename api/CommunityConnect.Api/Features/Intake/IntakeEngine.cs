using CommunityConnect.Api.Features.Cases;

namespace CommunityConnect.Api.Features.Intake;

/// <summary>
/// How the lexicon weights and the statistical model are combined. The lexicons decide when they
/// have something to say; the model's log-probability breaks ties and speaks when they are silent
/// (words no lexicon has yet).
/// </summary>
/// <param name="IntentModelWeight">Weight of the model's log-probability next to the intent cue weights.</param>
/// <param name="CategoryModelWeight">Weight of the model's log-probability next to the category word weights.</param>
/// <param name="OtherCategoryFloor">Lexicon evidence a category needs (with the model's help) to beat "other".</param>
/// <param name="ModelFloor">The smallest probability the model may report (so one missing word cannot veto).</param>
public sealed record IntakeTuning(float IntentModelWeight = 1.5f, float CategoryModelWeight = 1.5f, float OtherCategoryFloor = 1.2f, float ModelFloor = 0.02f)
{
    public static IntakeTuning Default { get; } = new();
}

/// <summary>
/// The analyser proper: normalise, find every lexicon word in one pass, read places, weigh the
/// cues (the rule-and-lexicon core), add the statistical model's opinion, and apply the
/// taxonomy's rules. Immutable and thread-safe once built; one instance serves every request.
/// </summary>
public sealed partial class IntakeEngine
{

    private static readonly string[] GroupNames = ["category", "intent", "urgency", "modifier", "place", "body", "cue", "dialogue"];
    private static readonly IReadOnlyList<string>[] SectionNames =
    [
        LexiconSections.Categories, LexiconSections.IntentFile, LexiconSections.UrgencyFile, LexiconSections.ModifierFile,
        LexiconSections.PlaceFile, LexiconSections.BodyFile, LexiconSections.CueFile, LexiconSections.DialogueFile,
    ];

    public IntakeEngine(IntakeLexicon lexicon, NgramModel? model, IntakeTuning? tuning = null)
    {
        Lexicon = lexicon;
        Model = model;
        Tuning = tuning ?? IntakeTuning.Default;
    }

    public IntakeTuning Tuning { get; }

    public IntakeLexicon Lexicon { get; }

    /// <summary>The statistical part, or null for the lexicons alone.</summary>
    public NgramModel? Model { get; }

    public string Normalise(string text) => Lexicon.Normaliser.Normalise(text);

    public IntakeAnalysis Analyse(string text)
    {
        var normalised = Lexicon.Normaliser.Normalise(text);
        var reading = new Reading(normalised, Lexicon);
        reading.Find();
        reading.Modify();

        var intent = DecideIntent(reading, out var intentScores, out var intentConfidence);
        var category = DecideCategory(reading, intent, out var categoryConfidence);
        var body = RoutingOf(intent, category);

        var places = PlaceReader.Read(normalised);
        string? building = null, unit = null;
        foreach (var place in places)
        {
            if (place.Negated)
            {
                continue;
            }
            if (place.Kind == PlaceMentionKind.Building)
            {
                building ??= place.Value;
            }
            else
            {
                unit ??= place.Value;
            }
        }
        var (placeKind, commonArea) = reading.Place(unit is not null);
        var missing = Missing(reading, intent, category, placeKind);

        return new IntakeAnalysis
        {
            Intent = intent,
            Category = category,
            ResponsibleBody = body,
            Building = building,
            Unit = unit,
            Urgent = reading.UrgentCue is not null,
            Confidence = Math.Round(Math.Min(intentConfidence, categoryConfidence), 2),
            Missing = missing,
            NormalizedText = normalised,
            PlaceKind = placeKind,
            CommonArea = commonArea,
            Places = places,
            KeywordSource = new Lazy<IReadOnlyList<IntakeKeyword>>(() => reading.Keywords(GroupNames, SectionNames)),
            MentionedBodies = reading.MentionedBodies(),
            AddressedBody = reading.AddressedBody(),
            Anonymous = reading.Has(LexiconGroup.Cue, LexiconSections.Anonymous),
            Visibility = reading.Has(LexiconGroup.Cue, LexiconSections.Private) ? VisibilityCue.Private
                : reading.Has(LexiconGroup.Cue, LexiconSections.Public) ? VisibilityCue.Public : VisibilityCue.None,
            UrgentCue = reading.UrgentCue,
            DangerDiscounted = reading.UrgentCue is null && reading.DangerDiscounted,
            ProblemNegated = reading.ProblemNegated,
            Resolved = reading.IntentCues[LexiconSections.Resolved] > 0,
            BlamesProperty = reading.BlamesProperty,
            Act = reading.Act(),
            Correction = places.Any(p => p.Negated) && places.Any(p => !p.Negated),
            IntentScores = intentScores,
        };
    }

    /// <summary>TAXONOMY.md routing: the category's default body; rule 2 for proposals; other intent → residents' committee.</summary>
    public static string RoutingOf(string intent, string category)
    {
        if (intent == Intents.Other)
        {
            return Bodies.ResidentsCommittee;
        }
        var body = Taxonomy.DefaultRoutes[category];
        return intent == Intents.Proposal ? Taxonomy.ForProposal(body) : body;
    }

    private string DecideIntent(Reading reading, out double[] probabilities, out double confidence)
    {
        Span<float> rule = stackalloc float[5];
        var cues = reading.IntentCues;
        rule[0] = cues[0] + MathF.Min(reading.Problem, 6f);
        rule[1] = cues[1] + reading.Blame + (reading.BlamesProperty ? 3f : 0f);
        rule[2] = cues[2];
        // A message that ends by asking (…吗? …怎么办?) is most often a question, whatever it described first.
        rule[3] = cues[3] + MathF.Min(reading.QuestionMarks * 1.5f, 3f) + (reading.EndsWithQuestion ? 1.5f : 0f);
        rule[4] = cues[4] + cues[LexiconSections.Resolved];

        Span<float> model = stackalloc float[5];
        Span<float> categoryModel = stackalloc float[Taxonomy.Categories.Count];
        var hasModel = Model is not null;
        if (hasModel)
        {
            Model!.Predict(reading.Text, model, categoryModel);
            reading.CategoryModel = categoryModel.ToArray();
        }

        // A dog or a neighbour cannot be repaired: what is about them is a complaint or a question.
        var topCategory = reading.TopRuleCategory;
        if (topCategory is "neighbor" or "pets" && reading.CategoryEvidence >= 2f)
        {
            rule[1] += 2f;
            rule[0] -= 1f;
        }
        // A gas leak is reported to be fixed, unless the resident plainly asks something (请问...打什么电话).
        if (reading.UrgentFromGas && cues[3] < 3f)
        {
            rule[0] += 3f;
        }
        var actionable = rule[0] + rule[1] + rule[2] + rule[3];
        // "麻烦来看看,谢谢": thanks and greetings around a request are politeness, not the message.
        if (actionable >= 3f)
        {
            rule[4] = cues[4] * 0.3f + cues[LexiconSections.Resolved];
        }
        Span<float> final = stackalloc float[5];
        for (var i = 0; i < 5; i++)
        {
            final[i] = rule[i] + (hasModel ? Tuning.IntentModelWeight * MathF.Log(MathF.Max(model[i], Tuning.ModelFloor)) : 0f);
        }
        // No cue of any intent and nothing wrong: more likely a remark than a request ("桂花开了,真香").
        if (actionable <= 0f)
        {
            final[4] += 2f;
        }
        // Nothing at all to act on: no cue and no category word. Chit-chat, whatever the model thinks.
        if (actionable <= 0f && reading.CategoryEvidence < 1f && rule[4] <= 0f && reading.Text.Length < 40)
        {
            final[4] += 4f;
        }
        // Thanks for something fixed, with no problem left open, is not a new request.
        if (cues[LexiconSections.Resolved] > 0 && reading.Problem <= 0f && cues[0] < 3f)
        {
            final[4] += 2f;
        }
        var best = 0;
        for (var i = 1; i < 5; i++)
        {
            if (final[i] > final[best])
            {
                best = i;
            }
        }
        probabilities = Softmax(final, ConfidenceTemperature);
        confidence = probabilities[best];
        return Intents.All[best];
    }

    private string DecideCategory(Reading reading, string intent, out double confidence)
    {
        if (intent == Intents.Other)
        {
            confidence = 1;
            return "other";
        }
        var categories = Taxonomy.Categories;
        var count = categories.Count;
        Span<float> final = stackalloc float[count];
        var other = count - 1;
        for (var c = 0; c < count; c++)
        {
            final[c] = reading.CategoryScores[c];
            if (reading.CategoryModel is { } model)
            {
                final[c] += Tuning.CategoryModelWeight * MathF.Log(MathF.Max(model[c], Tuning.ModelFloor));
            }
        }
        final[other] += Tuning.OtherCategoryFloor;
        if (reading.WholeOutage)
        {
            // 整栋楼都停电了, 电梯也停了: the building is without power; the lift is a consequence.
            final[IndexOf(categories, "electric")] += 3f;
        }
        if (intent == Intents.Complaint && reading.BlamesProperty)
        {
            // TAXONOMY.md routing rule 3: blaming the company makes it a property-service complaint.
            final[IndexOf(categories, "property_service")] += 6f;
        }
        var best = 0;
        for (var c = 1; c < count; c++)
        {
            if (final[c] > final[best])
            {
                best = c;
            }
        }
        confidence = Softmax(final, ConfidenceTemperature)[best];
        return categories[best];
    }

    private static List<string> Missing(Reading reading, string intent, string category, PlaceKind place)
    {
        var missing = new List<string>(3);
        if (intent == Intents.Other)
        {
            return missing;
        }
        if (intent == Intents.Repair && place == PlaceKind.None)
        {
            missing.Add(MissingSlots.Location);
        }
        var described = reading.HasDescription;
        if (!described || (category == "other" && intent == Intents.Repair))
        {
            missing.Add(MissingSlots.Category);
        }
        if (!described)
        {
            missing.Add(MissingSlots.Description);
        }
        return missing;
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }
        return -1;
    }

    // Scores are sums of weights (a strong cue is 3 or 4): dividing by 3 turns a margin of one strong
    // cue into a probability near 0.75 rather than 0.98, so confidence says something.
    private const double ConfidenceTemperature = 3;

    private static double[] Softmax(ReadOnlySpan<float> scores, double temperature)
    {
        var result = new double[scores.Length];
        var max = double.MinValue;
        foreach (var s in scores)
        {
            max = Math.Max(max, s);
        }
        var sum = 0d;
        for (var i = 0; i < scores.Length; i++)
        {
            result[i] = Math.Exp((scores[i] - max) / temperature);
            sum += result[i];
        }
        for (var i = 0; i < scores.Length; i++)
        {
            result[i] = Math.Round(result[i] / sum, 4);
        }
        return result;
    }
}
