"""Forename groups: nicknames, diminutives and spellings of the same name (pure: no Django).

English nicknames come from the `nicknames` package; spellings across languages and a few
diminutives it lacks come from data/name-variants.csv; pairs of names those lists join that are
two names (Emma and Emily) are parted by data/distinct-names.csv. See data/SOURCES.md.
"""

from collections import defaultdict
from functools import cache
from pathlib import Path

import nicknames

from cme.matching.normalise import name_tokens

VARIANTS_FILE = Path(__file__).resolve().parent / "data" / "name-variants.csv"
DISTINCT_FILE = Path(__file__).resolve().parent / "data" / "distinct-names.csv"


def _key(name: str) -> str:
    return "".join(name_tokens(name))


@cache
def name_groups() -> dict[str, frozenset[str]]:
    """Normalised forename → keys of the groups it belongs to (a name may be in several)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for t in nicknames.name_triplets():
        if t.relationship != "has_nickname":
            continue
        canonical, nickname = _key(t.name1), _key(t.name2)
        group = f"en:{canonical}"
        groups[canonical].add(group)
        groups[nickname].add(group)
    for line in VARIANTS_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        names = [_key(n) for n in line.split(",") if n.strip()]
        group = f"v:{names[0]}"
        for name in names:
            groups[name].add(group)
    # Two names the lists join that are two names (twins are given them: Emma and Emily): the
    # first of each pair leaves the groups it shares with the second.
    for line in DISTINCT_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        first, second = (_key(n) for n in line.split(",")[:2])
        groups[first] -= groups[second]
    return {name: frozenset(keys) for name, keys in groups.items() if name}


# Yoruba names that open with a praise of God ("Oluwa", "Olu") are called by what follows, or by its
# first syllables: Oluwatomiwa is Tomi, Oluwadamilola Dami, Olufemi Femi, Oluwaseun Seun. Too
# many such names for a list; the rule is asymmetric (Tomi is Oluwatomiwa and Oluwatomisin, but
# those two are different names), so it is not a group.
_PRAISE_PREFIXES = ("oluwa", "olu")
MIN_SHORT_FORM = 4  # Tomi, Dami, Femi, Seun, Kemi; not "Tom"


def short_forms(name: str) -> tuple[str, ...]:
    """The short forms a normalised forename is called by, if it opens with "Oluwa" or "Olu":
    each start of the rest of the name of at least MIN_SHORT_FORM letters (Oluwatomiwa: tomi,
    tomiw, tomiwa)."""
    for prefix in _PRAISE_PREFIXES:
        if name.startswith(prefix) and len(name) - len(prefix) >= MIN_SHORT_FORM:
            rest = name[len(prefix):]
            return tuple(rest[:k] for k in range(MIN_SHORT_FORM, len(rest) + 1))
    return ()


def groups_of(name: str) -> frozenset[str]:
    return name_groups().get(name, frozenset())


def are_variants(a: str, b: str) -> bool:
    """True when two normalised forenames are forms of one name (Bill and William, Tomi and
    Oluwatomiwa)."""
    return a != b and (bool(groups_of(a) & groups_of(b)) or a in short_forms(b) or b in short_forms(a))


# Hanyu Pinyin syllables without tones (the standard table, with the "v" spelling of ü left out:
# names on a school's roll write lü as "lu" or "lv" rarely). A given name written in pinyin
# (Jiahao, Siqi, Zi Xuan) is two syllables, or three.
_PINYIN_TABLE = """
a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang cao ce
cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun
chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dian diao die ding diu
dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai gan gang gao ge
gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen heng hong hou
hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun ka
kai kan kang kao ke ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang lao le lei
leng li lia lian liang liao lie lin ling liu long lou lu luan lue lun luo ma mai man mang mao me mei
men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang
niao nie nin ning niu nong nou nu nuan nue nuo o ou pa pai pan pang pao pei pen peng pi pian piao pie
pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren
reng ri rong rou ru ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei
shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai
tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng
wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo
yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen
zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo
"""
_PINYIN = frozenset(_PINYIN_TABLE.split())


# Spellings English names rarely have and pinyin often does.
_PINYIN_MARKS = ("x", "q", "zh", "j", "ao", "ui", "iu", "ie", "ia", "ng", "yi", "yu", "zi", "si", "ou", "ei")


@cache
def is_pinyin_given_name(name: str) -> bool:
    """A normalised forename that reads as a Chinese given name in pinyin: two or three
    syllables, or one of three letters or more (Ming, Hao, Jun), with a spelling only pinyin
    has, and not a name of the groups (Anna, Nina, Leo and Mia read as pinyin too)."""
    if not name or name_groups().get(name) or len(name) > 12:
        return False
    if not any(mark in name for mark in _PINYIN_MARKS):
        return False  # Nina, Luna: pinyin syllables, but nothing only pinyin spells so

    if name in _PINYIN:  # one syllable: a name in its own right when pinyin alone spells it so
        return len(name) >= 3

    def splits(rest: str, left: int) -> bool:
        if not rest:
            return left < 2  # two or three syllables used
        # After the first, a syllable opens with a consonant: one that opens with a vowel is
        # written apart in a name (Xi'an) and reads as English run on (Si-en-na).
        if left < 3 and rest[0] in "aeo":
            return False
        return left > 0 and any(rest[:k] in _PINYIN and splits(rest[k:], left - 1)
                                for k in range(min(6, len(rest)), 0, -1))

    return splits(name, 3)


def reads_as_pinyin(name: str, syllables: int = 3) -> bool:
    """Could any reading of the name be pinyin at all (one to `syllables` syllables)? English
    names mostly cannot (Tony, Grace, Chloe, Jason); a few can (Alan, Dan, Lena): a name of the
    groups counts as not pinyin."""
    return not name_groups().get(name) and _in_pinyin_syllables(name, syllables)


def _in_pinyin_syllables(name: str, syllables: int) -> bool:
    """The name is one to `syllables` pinyin syllables run together."""

    def splits(rest: str, left: int) -> bool:
        return not rest or (left > 0 and any(rest[:k] in _PINYIN and splits(rest[k:], left - 1)
                                             for k in range(min(6, len(rest)), 0, -1)))

    return bool(name) and splits(name, syllables)


# Chinese surnames as Hong Kong (Cantonese), Malaysian and Singaporean (Hokkien, Teochew, Hakka) and
# Taiwanese (Wade-Giles) families write them: most British Chinese families came from Hong Kong or
# South East Asia, so Chan, Wong and Leung are more common on a school roll than Chen, Wang and
# Liang. Several are English names too (Lee, Law, Low, Man): a surname only ever counts together
# with a given name that reads as pinyin.
_CHINESE_SURNAME_TABLE = """
au auyeung chai chan chang chau cheah cheng cheong cheung chew chia chiang chin ching chiu choi chong
chou chow choy chu chua chuang chui chung fok fong foo fu fung goh ho hsieh hsu hui hung ip kam kan kee
khoo koh kong kuan kuo kwan kwok kwong lai lam lau law lee leong leung li lim liu lo loh lok loo low lui
lum lung mak man mok ng ong ooi pang poon quek seah see seto sham shek sin siu so soo sze tai tam tan
tang tay teh teo tham thong tin toh tong tsai tsang tse tso tsui tung wai wan wee wong woo wu yap yau
yee yeo yeoh yeung yim yip yiu yong yu yuen yung
"""
_CHINESE_SURNAMES = frozenset(_CHINESE_SURNAME_TABLE.split())


def is_chinese_surname(name: str) -> bool:
    """A normalised surname that is Chinese: one or two pinyin syllables (Chen, Ouyang), or a
    common Cantonese, Hokkien, Teochew, Hakka or Wade-Giles spelling (Wong, Leung, Tan, Hsu).
    Unlike a forename, a surname that is also an English name (Chan) still counts."""
    return name in _CHINESE_SURNAMES or _in_pinyin_syllables(name, 2)

