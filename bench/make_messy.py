#!/usr/bin/env python3
"""Messy, adversarial test data for the CME roll matcher (`cme link`).

Written blind: nothing here was taken from the matcher or from the other bench generators.
It makes a school roll (households, siblings, step-siblings, twins, cousins) for a fictional
English area and a set of referrals about children, at least --no-roll-share of them about
children who are on NO roll but look like someone who is (a brother or sister, an unrolled twin,
a namesake, a cousin), the rest about rolled children with the errors real referrals carry.

    .venv/bin/python bench/make_messy.py                   # 20,000 pupils, 2,000 referrals
    .venv/bin/python bench/make_messy.py --small           # 500-record roll, 300 referrals
    .venv/bin/python bench/make_messy.py --pupils 250000 --referrals 20000 --no-roll-share 0.8

Output in --out (default bench/data/messy or bench/data/messy-small): roll.csv, referrals.csv,
truth.csv (referral_id,roll_id,kind), truth_detail.csv (source, the rolled relative or look-alike
each referral could be confused with), README.txt (the composition, with counts).

Standard library only (numpy is not needed). Reproducible for a given --seed and --as-of.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import datetime as dt
import functools
import itertools
import math
import os
import random
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict

# ----------------------------------------------------------------------------------------------
# Output contract
# ----------------------------------------------------------------------------------------------

HEADER = ["id", "upn", "forename", "middle_names", "surname", "former_surname", "dob", "sex",
          "postcode", "address"]
ROLL_HEADER = [*HEADER, "preferred_forename"]
TRUTH_HEADER = ["referral_id", "roll_id", "kind"]

DEFAULT_AS_OF = dt.date(2026, 9, 7)   # first week of the autumn term 2026/27
DEFAULT_SEED = 20260907

# ----------------------------------------------------------------------------------------------
# UPN (data-standards.md section 2.2): check letter over positions 2..13, weights = position.
# ----------------------------------------------------------------------------------------------

UPN_ALPHA = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_RE = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{12}$")


def upn_check_letter(body12: str) -> str:
    """Check letter for the 12 characters that follow it (positions 2..13)."""
    total = 0
    for pos, ch in enumerate(body12, start=2):
        total += pos * (int(ch) if ch.isdigit() else UPN_ALPHA.index(ch))
    return UPN_ALPHA[total % 23]


def make_upn(la: int, estab: int, yy: int, serial: int) -> str:
    body = f"{la:03d}{estab:04d}{yy % 100:02d}{serial:03d}"
    return upn_check_letter(body) + body


def upn_valid(upn: str) -> bool:
    return bool(UPN_RE.match(upn)) and upn[0] == upn_check_letter(upn[1:])


# The area's LA code and a few others for children who started school elsewhere (real codes,
# so rule 1530 style checks pass).
HOME_LA = 873
OTHER_LAS = [330, 380, 302, 316, 350, 370, 801, 826, 855, 856, 886, 919, 926, 931, 935, 938,
             941, 909, 304, 318, 341, 383, 822, 839]

# ----------------------------------------------------------------------------------------------
# Names.  Lists are in rough order of frequency; weights fall off as a Zipf curve, so the heads
# are very common and the tails rare.  Spellings as English schools record them.
# ----------------------------------------------------------------------------------------------


def W(s: str) -> list[str]:
    """Split a word list; an underscore stands for a space inside one entry."""
    out = []
    for w in s.split():
        w = w.replace("_", " ")
        if w not in out:
            out.append(w)
    return out


BRIT_BOYS = W("""Oliver Jack Harry George Jacob Charlie Thomas Noah William James Oscar Alfie Joshua
Leo Freddie Henry Archie Ethan Isaac Joseph Alexander Samuel Daniel Logan Lucas Max Theo Edward
Dylan Riley Mason Arthur Harrison Finley Tyler Lewis Adam Jayden Ryan Luke Benjamin Callum Kai Jake
Matthew Liam Reuben Toby Sebastian Teddy Tommy Frankie Louie Ronnie Reggie Albie Rory Jenson Jamie
Bobby Stanley Elliot Nathan Kyle Connor Brandon Bradley Cameron Aaron Owen Zachary Hugo Ezra Jude
Elijah Michael David Jaxon Kayden Rocco Jasper Hunter Harley Jesse Ellis Alex Louis Sonny Tobias
Gabriel Caleb Harvey Austin Ollie Alfred Frederick Theodore Nathaniel Christopher Jonathan Anthony
Kian Ashton Mackenzie Leon Corey Declan Dexter Blake Carter Hayden Ruben Ralph Otis Rowan Felix
Miles Albert Jaden Aiden Aidan Nicholas Robert Patrick Edward Francis Dominic Marcus Ivan Kieran
Lennon Brody Grayson Hudson Jax Ellis Rhys Reece Shaun Stephen Craig Darren Mohammed Muhammad""")
BRIT_BOYS_RARE = W("""Atticus Ptolemy Caspian Lysander Barnaby Crispin Peregrine Alaric Cassius
Fenwick Lorcan Kitto Wilfred Ambrose Ignatius Rufus Cosmo Evander Thaddeus Bartholomew Hamish Ewan
Innes Torin Brodie Lachlan Ciaran Tadhg Oisin Cormac Eoin Kester Leander Orson Quentin Zephyr
Rafferty Monty Bertie Digby Archibald Gideon Jago Lowen Tristan Piran Hector Magnus Ansel Bram
Wolfe Caius Ferris Linus Sorley Tiernan Fergus Ptolemy Benedict Cuthbert Oswin Aldo Elias""")
BRIT_GIRLS = W("""Olivia Amelia Isla Ava Emily Sophia Grace Mia Poppy Ella Lily Jessica Isabella
Evie Sophie Freya Charlotte Daisy Chloe Ruby Millie Florence Phoebe Scarlett Holly Ellie Matilda
Rosie Erin Evelyn Sienna Willow Harper Layla Lola Imogen Lucy Megan Hannah Katie Lauren Emma Amy
Molly Eva Maisie Darcie Eliza Bella Lacey Leah Niamh Zara Thea Aria Maya Zoe Gracie Esme Summer
Eleanor Elizabeth Abigail Alice Harriet Rebecca Bethany Paige Courtney Kayleigh Tia Skye Caitlin
Keira Jasmine Tilly Annabelle Elsie Mabel Nevaeh Aaliyah Isabelle Isabel Amber Georgia Madison
Alexandra Victoria Samantha Francesca Gabriella Penelope Josephine Natalie Abbie Libby Lexi Ivy Ada
Iris Violet Hallie Orla Ayla Bonnie Nancy Delilah Luna Margot Edith Hazel Mollie Darcey Macie
Katherine Catherine Jennifer Georgina Eden Aimee Hayley Shannon Kacey Demi Ellie-Mae Lilly-Mae
Mia-Rose Lacey-Mae""")
BRIT_GIRLS_RARE = W("""Persephone Araminta Clementine Ottilie Wilhelmina Elowen Morwenna Tamsin Seren
Cerys Eira Bryony Honor Marigold Petronella Rosalind Imelda Tabitha Saoirse Aoife Grainne Siobhan
Ailbhe Clodagh Philippa Cressida Verity Temperance Ianthe Lark Wren Juno Calliope Hermione
Perpetua Isolde Elspeth Morag Kerensa Demelza Loveday Jessamy Arabella Romilly Blythe Sabine
Anouk Odette Liesl Fenella Oona Ines""")
BRIT_SURNAMES = W("""Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts
Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Jackson Wood
Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott
Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson
Bailey Collins Bell Shaw Murphy Miller Cox Richards Marshall Anderson Simpson Ellis Adams
Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Hunt Campbell Matthews Owen Palmer Holmes
Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham
Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne
Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton
O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson Newman
Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry Stone Reid
Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson Bird Gardner Shah
Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns Nicholson Shepherd Ross Cross
Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald Yates Hodgson Robson Curtis Hopkins
O'Connor Harper Coleman Watkins Moss McCarthy Chambers O'Neill Griffin Sharp Hardy Wheeler Potter
Osborne Johnston Gordon Doyle Wallace George Jordan Hutchinson Rowe Burke May Pritchard Gilbert
Willis Higgins Read Miles Stevenson Stephenson Hammond Arnold Buckley Walters Hewitt Barber Nelson
Slater Austin Sullivan Whitehead Mann Frost Lambert Stephens Blake Akhtar Lynch Goodwin Barton
Woodward Thomson Cunningham Quinn Barnett Baxter Bibi Clayton Nash Greenwood Jennings Holt
Kemp Poole Gallagher Bond Stokes Tucker Davidson Fowler Heath Norman Middleton Lawson Banks French
Stanley Jarvis Gibbs Ferguson Hayward Carroll Douglas Dickinson Todd Barlow Peters Lucas Knowles
Hartley Miah Simmons Morton Alexander Field Morley Hancock Fraser""")
SURNAME_PREFIX = W("""Ash Brad Brom Cal Chad Craw Dun Elder Fair Farn Gold Hal Hart Hay Hol Kettle
Lang Lock Mar Mid Mill Nor Oak Pen Rad Red Rock Sand Shel Stan Stock Thorn Wal Wens Whit Brack
Cran Dal Rams Lind Birk Hock Lud Pres Rush Sher Tad Ack Bar Bick Blen Car Dew Ever Gar Heb Kir
Lax Mos Pick Rud Scar Tid Wig Yar""")
SURNAME_SUFFIX = W("""ley ton worth field ford by well shaw wood combe ham croft stone bridge dale
more wick bury den hurst lake low cliffe thorpe ridge ington all cott hope stead""")

CARIB_BOYS = W("""Tyrese Jaden Kymani Dante Malachi Isaiah Jermaine Tremaine Kaiden Zion Amari Josiah
Ty'rese D'Andre Kyrie Marley Jahmal Romeo Trey Shaquille Kairo Darnell Levi Reuben Nathaniel Elijah
Tyreke Kofi Jamal Rashad Deshawn Ezekiel Micah Omari Kaleb""")
CARIB_GIRLS = W("""Shanice Aaliyah Kiara Jada Tianna Nia Destiny Imani Amara Zuri Shania Jamelia
Keisha Tanisha Shantelle Precious Amaya Nyla Kaliyah Jaliyah Kyla De'Shae Ameliah Tiana Leah
Naomi Jayda Khloe Nevaeh Janelle Alicia Chantelle""")
CARIB_SURNAMES = W("""Campbell Brown Williams Thomas Francis Clarke Reid Johnson Grant Bailey Morgan
Henry Samuels Gordon Simpson Powell Richards Forbes McKenzie Spence Nelson Daley Bryan Lindo
Walker Mullings Hinds Bennett Edwards James Lewis Wright Gayle Ellis Barrett""")

IRISH_BOYS = W("""Sean Conor Jack Cian Darragh Oisin Liam Patrick Ciaran Eoin Fionn Ronan Niall
Cillian Tadhg Padraig Diarmuid Ruairi Killian Aidan Callum Michael Declan Cathal Donal""")
IRISH_GIRLS = W("""Aoife Niamh Ciara Saoirse Roisin Siobhan Orla Caoimhe Sinead Aisling Grainne
Clodagh Eimear Ailbhe Maeve Mairead Kate Erin Emma Sorcha Nuala Bronagh""")
IRISH_SURNAMES = W("""Murphy Kelly O'Brien O'Connor O'Neill Ryan Byrne O'Sullivan Walsh McCarthy Doyle
Gallagher O'Reilly Doherty Kennedy Lynch Murray Quinn Moore McLaughlin Brennan Burke Collins
Fitzgerald O'Donnell O'Mahony McGrath Dunne Nolan O'Leary Sheehan Kavanagh Boyle Cunningham
Farrell Hegarty Keane McNamara Flanagan O'Shea Ni'Bhriain""")

TRAV_BOYS = W("""Johnny Patrick Martin Michael Tom Jimmy Paddy Christy Bernard Francie Willie John
Joseph Edward Levi Tyson Romeo Billy Jim Noah Shamus Mikey Joe Sonny Frankie""")
TRAV_GIRLS = W("""Bridget Mary Margaret Kathleen Nora Winnie Josie Helen Caitlin Ellen Anne Mary-Ann
Chelsea Shannon Bridie Tina Kitty Theresa Mary-Kate Cheyenne Lacey Marie""")
TRAV_SURNAMES = W("""Ward McDonagh Connors Joyce Maughan Doran Delaney Stokes McGinley Sheridan Cash
Quilligan Collins Casey McCann Gavin Purcell Keenan Mongan Reilly Lee Smith Price Cooper Boswell
Lovell Loveridge Buckley Hearne Burton Ayres Wells Doherty O'Driscoll""")

ROMA_BOYS = W("""Dominik Denis Marek Patrik Kevin Nikolas Erik Roman Mario Samuel David Rene Tibor
Jozef Ladislav Robert Alex Adrian Marian Sebastian Radek Milan Lukas""")
ROMA_GIRLS = W("""Dzesika Nikoleta Vanesa Klaudia Sabina Denisa Adriana Romana Kristina Natalia
Bianka Melania Simona Lenka Monika Petra Dajana Rebeka Erika Silvia Nikola""")
ROMA_SURNAMES = W("""Balog Horváth Lakatos Rostas Dunka Gabor Oláh Kolompar Raduly Caldaras Stoica
Mirga Dudi Ferko Bandy Pompa Kaleja Giman Dzurko Demeter Kotlar Lacatus Hudak Bihari Cina Kandrac
Gaži Pokuta""")

POL_BOYS = W("""Jakub Kacper Szymon Filip Mikołaj Wojciech Bartosz Jan Antoni Aleksander Franciszek
Piotr Mateusz Dawid Oliwer Łukasz Krzysztof Michał Tomasz Igor Adam Maksymilian Wiktor Kamil Patryk
Dominik Oskar Tymon Stanisław Ignacy Józef Marcel Nikodem""")
POL_GIRLS = W("""Zuzanna Julia Maja Zofia Hanna Lena Alicja Oliwia Amelia Natalia Wiktoria
Aleksandra Katarzyna Małgorzata Agnieszka Magdalena Weronika Nikola Gabriela Karolina Martyna
Emilia Łucja Laura Pola Antonina Marcelina Kornelia Jagoda""")
POL_SURNAMES = W("""Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński
Szymański Woźniak Dąbrowski Kozłowski Jankowski Mazur Krawczyk Piotrowski Grabowski Pawłowski
Michalski Król Wieczorek Jabłoński Wróbel Nowakowski Majewski Olszewski Stępień Malinowski
Jaworski Adamczyk Dudek Nowicki Pawlak Górski Witkowski Walczak Sikora Baran Rutkowski Michalak
Szewczyk Ostrowski Tomaszewski Pietrzak Zalewski Wróblewski Przybylski Chmielewski Szczepański""")

LIT_BOYS = W("""Lukas Matas Nojus Jokūbas Dominykas Benas Kajus Herkus Joris Dovydas Augustas Emilis
Tomas Mantas Rokas Arnas Gustas""")
LIT_GIRLS = W("""Emilija Gabija Austėja Urtė Kamilė Ugnė Liepa Amelija Lėja Miglė Goda Karolina Viltė
Smiltė Gabrielė Rugilė""")
LIT_SURNAMES = W("""Kazlauskas Jankauskas Petrauskas Stankevičius Vasiliauskas Žukauskas Butkus
Paulauskas Urbonas Kavaliauskas Navickas Ramanauskas Savickas Rimkus Baranauskas Šimkus
Vaitkus""")

ROM_BOYS = W("""Andrei Alexandru Ștefan David Luca Ionuț Mihai Gabriel Darius Denis Rareș Matei
Cristian Florin Vlad Sebastian Eduard Bogdan Răzvan Fabian Constantin Marius Adrian Robert""")
ROM_GIRLS = W("""Maria Ioana Elena Andreea Alexandra Bianca Ana Daria Sofia Antonia Denisa Larisa
Roxana Alesia Ionela Carla Iasmina Raluca Teodora Sara Daniela Mădălina""")
ROM_SURNAMES = W("""Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu Rusu
Munteanu Constantin Moldovan Lungu Mihai Marin Tudor Florea Dinu Ene Barbu Neagu Cristea Nistor
Sandu Ursu Dobre Ilie Voicu Lazăr Căpraru Dragomir Nedelcu""")

SOM_BOYS = W("""Mohamed Abdi Abdirahman Abdullahi Ahmed Ali Hassan Hussein Ibrahim Ismail Yusuf Omar
Abdikarim Mahad Khalid Liban Sakariye Hamza Bilal Mustafe Abdiaziz Guled Zakariye Mohamud""")
SOM_GIRLS = W("""Faadumo Hodan Amina Ayan Hibo Ifrah Sagal Nimco Hamdi Ikran Deeqa Sumaya Khadra
Ladan Nasra Muna Hawa Safiya Yasmin Zamzam Fardowsa Ubah Najma""")
SOM_SURNAMES = W("""Ali Mohamed Hassan Ahmed Abdi Omar Farah Yusuf Warsame Jama Hussein Osman Ismail
Aden Abdullahi Elmi Egal Duale Nur Dahir Hersi Mohamud Adan Guled Isse Noor Abdillahi Samatar""")

BAN_BOYS = W("""Abdul Rahim Tahmid Ayaan Rayyan Zayan Ibrahim Yusuf Sami Tanvir Shahid Nabil Imran
Arif Rayhan Saif Farhan Ahnaf Tamim Rafi Shafin Adnan Mahir Junaid""")
BAN_GIRLS = W("""Ayesha Fatima Sumaiya Tasnim Nusrat Sadia Nafisa Mariam Jannat Ruqayyah Habiba
Tahmina Rumana Afsana Sabrina Ishrat Lamia Nadia Raisa Maliha Tanha Safa Anisa""")
BAN_SURNAMES = W("""Uddin Miah Ahmed Rahman Islam Hussain Ali Chowdhury Hoque Alam Hossain Khan Karim
Aziz Sarkar Das Roy Mia Ullah Choudhury Haque Mahmud Talukdar Bhuiyan Akanda Sheikh""")

PAK_BOYS = W("""Ali Hamza Ibrahim Zain Ayaan Rayyan Abdullah Haris Hassan Usman Zakariya Bilal Yusuf
Adam Musa Umar Ahmed Ismail Zohaib Saad Talha Hashim Shayan Arham Ehsan Rehan Faizan Daniyal
Hussain Imran Junaid Kashif Sufyan Mikail""")
PAK_GIRLS = W("""Aisha Fatima Maryam Zainab Hafsa Khadija Aleena Hania Eman Anaya Inaya Hareem
Mahnoor Amna Iqra Noor Sana Zara Aliza Alisha Ayesha Areeba Laiba Javeria Rimsha Hira Mehwish
Amaira Manahil Dua""")
PAK_SURNAMES = W("""Khan Hussain Ali Ahmed Akhtar Iqbal Mahmood Shah Butt Malik Rashid Mirza Mehmood
Aslam Riaz Raza Javed Yousaf Qureshi Sheikh Chaudhry Anwar Saleem Arshad Bashir Nawaz Sadiq Tariq
Rehman Zaman Hanif Latif Rafiq Younis Hameed Ashraf Siddiqui Abbasi Awan Janjua""")

SIKH_BOYS = W("""Arjun Harjit Gurpreet Jaskaran Simran Manpreet Harpreet Navdeep Jasdeep Amrit
Ravinder Gurdeep Kiran Harvinder Taran Ekam Fateh Arjan Jaivir Sukhraj Ranveer Hardeep""")
SIKH_GIRLS = W("""Gurpreet Simran Manpreet Harpreet Navdeep Jasleen Amrit Kiran Harleen Jaspreet
Rajveer Anaya Simrat Mehar Noor Ishleen Gurleen Prabhleen Sukhmani Harnoor""")
SIKH_SURNAMES = W("""Sandhu Gill Dhillon Sidhu Bains Johal Grewal Sahota Virdi Rai Atwal Bhogal Hayer
Kang Mann Sangha Dhaliwal Bassi Chahal Kalsi Matharu""")

GUJ_BOYS = W("""Aarav Krish Dev Arjun Vihaan Rohan Aryan Yash Neel Jay Kiaan Reyansh Ishaan Om Rishi
Aadi Veer Shiv Dhruv Kush Krishna""")
GUJ_GIRLS = W("""Riya Priya Anaya Diya Isha Aanya Kavya Saanvi Myra Tara Anika Nisha Pooja Meera Siya
Shreya Avni Jiya Khushi Navya Priyanka""")
GUJ_SURNAMES = W("""Patel Shah Mistry Parmar Chauhan Solanki Lad Desai Joshi Sharma Gupta Kumar Mehta
Pandya Thakkar Vaghela Rana Bhatt Modi Makwana""")

NIG_BOYS = W("""David Daniel Samuel Joshua Emmanuel Oluwaseun Oluwatobi Ayomide Chidi Chukwuemeka
Oluwadamilare Temitope Ifeanyi Obinna Adebayo Olamide Ayodeji Kayode Babajide Oluwatomiwa
Tolulope Oluwafemi Chinonso Victor Favour Divine Marvellous""")
NIG_GIRLS = W("""Oluwatoyin Oluwaseyi Adaeze Chioma Ngozi Chiamaka Amarachi Favour Precious Blessing
Grace Esther Deborah Ifeoluwa Damilola Temiloluwa Oluwanifemi Ebunoluwa Chidera Oluwadamilola
Mercy Testimony Praise Folake Morenike""")
NIG_SURNAMES = W("""Adeyemi Okafor Okonkwo Adebayo Ogunleye Oladipo Eze Nwosu Balogun Akinyemi Olawale
Afolabi Ogunbiyi Adeleke Obi Chukwu Nwachukwu Okeke Oyelaran Babatunde Ojo Bello Abiodun Oyewole
Adewale Onyekachi Oyedepo Olaniyan Uche Ibekwe""")

GHA_BOYS = W("""Kwame Kofi Kwabena Kwaku Yaw Kojo Kwasi Nana Jeremiah Caleb Elijah Nathaniel""")
GHA_GIRLS = W("""Ama Akosua Abena Adwoa Afia Akua Yaa Efua Nana Maame Priscilla Abigail""")
GHA_SURNAMES = W("""Mensah Owusu Boateng Asante Osei Appiah Agyeman Amoah Darko Addo Ofori Acheampong
Sarpong Antwi Frimpong""")

CHI_BOYS = W("""Jiahao Yuxuan Zihan Haoran Yichen Zixuan Junjie Hao Jun Wei Ming Yifan Zhiyuan Chenxi
Tianyu Ruixuan""")
CHI_GIRLS = W("""Xinyi Yutong Zixuan Ruoxi Yuxin Siqi Yiting Mei Jiayi Shuwen Xiaoyu Wenjing Yuqi
Keyi Yanxi Shiyu""")
CHI_SURNAMES = W("""Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Lin He Gao Luo
Chan Wong Cheung Lau Lee Ng Leung Ho Tang Lam Yip""")
CHI_EN_BOYS = W("Kevin Jason Eric Tony Jack Leo Ryan Daniel Alan Max Ethan Lucas Henry Oscar")
CHI_EN_GIRLS = W("Amy Grace Lily Emily Cindy Vivian Angela Jenny Lucy Sophie Chloe Ella Mia")

AFG_BOYS = W("""Ahmad Mustafa Omid Hamid Farid Sohail Samir Milad Arash Bilal Jawad Ali Rahim Nasir
Naveed Yasin Hasib Wahid""")
AFG_GIRLS = W("""Sahar Maryam Zahra Fatima Mursal Parisa Marwa Nilofar Farzana Shabnam Hadia Madina
Setara Mahsa Roya Sana""")
AFG_SURNAMES = W("""Ahmadi Karimi Rahimi Hashimi Noori Sultani Mohammadi Haidari Sadat Amiri Rasuli
Hakimi Popal Stanikzai Wardak Safi Azizi Jan""")

ARB_BOYS = W("""Omar Yousef Ahmad Hamza Adam Ali Zaid Karim Rami Aram Rebin Dilan Hawre Zhyar Sarkawt
Bilal Khalid Tariq Yasin Ibrahim""")
ARB_GIRLS = W("""Lana Sara Maryam Noor Rania Hana Shilan Rozhin Lava Jana Layan Rahaf Aya Yasmin
Zainab Salma Huda Dania Dilan""")
ARB_SURNAMES = W("""Al-Hassan Al-Sayed Abdullah Hassan Saleh Mahmoud Al-Ali Ibrahim Mustafa Rashid
Al-Najjar Haddad Khalil Yousef Aziz Karim Salih Amin Hamad Omar Ahmed Mohammed""")

MIDDLE_BOYS = W("""James John Thomas William Edward Alexander Michael Lee Paul David Joseph George
Robert Charles Henry Oliver Jack Peter Anthony Arthur Ray Daniel Richard Luke Frederick Alan""")
MIDDLE_GIRLS = W("""Rose Mae Grace Louise Marie Jane Elizabeth Anne May Lily Ann Jade Victoria Jean
Lou Hope Faith Olivia Alice Maria Leigh Catherine Ruby Florence Mary""")

# Groups: weights in the area as a whole (districts then bend them), name pools, conventions.
GROUPS = {
    #  name           weight  boys        girls        surnames        boy extra  girl extra
    "british":      (0.545, BRIT_BOYS, BRIT_GIRLS, BRIT_SURNAMES, BRIT_BOYS_RARE, BRIT_GIRLS_RARE),
    "caribbean":    (0.025, CARIB_BOYS, CARIB_GIRLS, CARIB_SURNAMES, [], []),
    "irish":        (0.020, IRISH_BOYS, IRISH_GIRLS, IRISH_SURNAMES, [], []),
    "traveller":    (0.012, TRAV_BOYS, TRAV_GIRLS, TRAV_SURNAMES, [], []),
    "roma":         (0.015, ROMA_BOYS, ROMA_GIRLS, ROMA_SURNAMES, [], []),
    "polish":       (0.050, POL_BOYS, POL_GIRLS, POL_SURNAMES, [], []),
    "lithuanian":   (0.010, LIT_BOYS, LIT_GIRLS, LIT_SURNAMES, [], []),
    "romanian":     (0.030, ROM_BOYS, ROM_GIRLS, ROM_SURNAMES, [], []),
    "somali":       (0.020, SOM_BOYS, SOM_GIRLS, SOM_SURNAMES, [], []),
    "bangladeshi":  (0.040, BAN_BOYS, BAN_GIRLS, BAN_SURNAMES, [], []),
    "pakistani":    (0.070, PAK_BOYS, PAK_GIRLS, PAK_SURNAMES, [], []),
    "sikh":         (0.020, SIKH_BOYS, SIKH_GIRLS, SIKH_SURNAMES, [], []),
    "gujarati":     (0.020, GUJ_BOYS, GUJ_GIRLS, GUJ_SURNAMES, [], []),
    "nigerian":     (0.030, NIG_BOYS, NIG_GIRLS, NIG_SURNAMES, [], []),
    "ghanaian":     (0.010, GHA_BOYS, GHA_GIRLS, GHA_SURNAMES, [], []),
    "chinese":      (0.015, CHI_BOYS, CHI_GIRLS, CHI_SURNAMES, [], []),
    "afghan":       (0.010, AFG_BOYS, AFG_GIRLS, AFG_SURNAMES, [], []),
    "arab_kurdish": (0.013, ARB_BOYS, ARB_GIRLS, ARB_SURNAMES, [], []),
}
MUSLIM = {"somali", "bangladeshi", "pakistani", "afghan", "arab_kurdish"}
# Forms of Muhammad each group writes most (first is the favourite).
MUHAMMAD_FORMS = {
    "pakistani": [("Muhammad", 8), ("Mohammed", 5), ("Mohammad", 3), ("Muhammed", 1)],
    "bangladeshi": [("Mohammed", 5), ("Muhammad", 4), ("Md", 2), ("Mohammad", 2)],
    "somali": [("Mohamed", 8), ("Mohamud", 2), ("Mohammed", 1)],
    "afghan": [("Mohammad", 6), ("Mohammed", 1), ("Muhammad", 1)],
    "arab_kurdish": [("Mohammed", 4), ("Mohamed", 2), ("Mohamad", 2)],
    "british": [("Mohammed", 3), ("Muhammad", 2)],
}
# Share of the group's boys whose first forename is a form of Muhammad; many of them are called
# by their second name (Muhammad Zain Khan is "Zain").
MUHAMMAD_SHARE = {"pakistani": 0.32, "bangladeshi": 0.30, "somali": 0.18, "afghan": 0.2,
                  "arab_kurdish": 0.15, "british": 0.004}

# Short forms and nicknames (formal name -> forms people use).  Deliberately our own list: it has
# the English, Polish, Muslim, Nigerian and Irish forms an English referral actually carries.
NICK = {
    "alexander": ["Alex", "Xander", "Alec", "Sandy"], "alexandra": ["Alex", "Lexi", "Sasha"],
    "benjamin": ["Ben", "Benji"], "charles": ["Charlie"], "charlotte": ["Lottie", "Charlie"],
    "christopher": ["Chris", "Kit"], "daniel": ["Dan", "Danny"],
    "edward": ["Eddie", "Ed", "Ted", "Teddy"],
    "elizabeth": ["Lizzie", "Beth", "Libby", "Eliza", "Ellie"],
    "frederick": ["Freddie", "Fred", "Freddy"], "henry": ["Harry", "Hal"],
    "james": ["Jamie", "Jim", "Jimmy"], "jessica": ["Jess", "Jessie"], "jonathan": ["Jon", "Jonny"],
    "joseph": ["Joe", "Joey"], "joshua": ["Josh"], "katherine": ["Kate", "Katie", "Kat"],
    "catherine": ["Cathy", "Kate", "Katie"], "margaret": ["Maggie", "Peggy", "Meg"],
    "matthew": ["Matt"], "michael": ["Mike", "Mikey", "Micky"], "nicholas": ["Nick", "Nicky"],
    "oliver": ["Ollie", "Olly"], "olivia": ["Liv", "Livvy"], "rebecca": ["Becky", "Becca"],
    "robert": ["Rob", "Robbie", "Bobby"], "samuel": ["Sam", "Sammy"], "samantha": ["Sam", "Sammie"],
    "thomas": ["Tom", "Tommy"], "william": ["Will", "Billy", "Liam", "Bill"],
    "victoria": ["Tori", "Vicky"], "abigail": ["Abbie", "Abi", "Abby"],
    "amelia": ["Millie", "Mia", "Amy"], "isabella": ["Bella", "Izzy", "Issy"],
    "isabelle": ["Izzy", "Belle"], "gabriella": ["Gabby", "Ella"], "zachary": ["Zach", "Zac"],
    "nathaniel": ["Nate", "Nat"], "theodore": ["Theo", "Teddy"], "archibald": ["Archie"],
    "alfred": ["Alfie", "Alf"], "florence": ["Flo", "Florrie"], "eleanor": ["Ellie", "Nell"],
    "matilda": ["Tilly", "Tilda"], "penelope": ["Penny"], "josephine": ["Josie", "Jo"],
    "harriet": ["Hattie"], "natalie": ["Nat"], "anthony": ["Tony", "Ant"], "stanley": ["Stan"],
    "albert": ["Albie", "Bert"], "francesca": ["Frankie", "Fran"], "francis": ["Frankie", "Frank"],
    "dominic": ["Dom"], "jacob": ["Jake"], "sebastian": ["Seb"], "tobias": ["Toby"],
    "cameron": ["Cam"], "mackenzie": ["Kenzie"], "madison": ["Maddie"], "evelyn": ["Evie"],
    "imogen": ["Immy"], "georgina": ["Georgie"], "georgia": ["Georgie"],
    "jennifer": ["Jenny", "Jen"], "patrick": ["Paddy", "Pat"], "bridget": ["Bridie", "Biddy"],
    "john": ["Johnny", "Jack"], "kathleen": ["Kathy", "Katie"], "christina": ["Tina", "Chrissie"],
    "benedict": ["Ben"], "bartholomew": ["Bart"], "montgomery": ["Monty"], "timothy": ["Tim"],
    "mohammed": ["Mo", "Moe", "Mohd"], "muhammad": ["Mo", "Muhd"], "mohammad": ["Mo"],
    "mohamed": ["Mo"], "abdirahman": ["Abdi"], "abdullahi": ["Abdi"], "abdullah": ["Abdul"],
    "abdulrahman": ["Abdul"], "ibrahim": ["Ibby"], "ismail": ["Izzy"], "zakariya": ["Zak"],
    "zakariye": ["Zak"], "rayyan": ["Ray"], "abdikarim": ["Karim"], "mustafe": ["Mus"],
    "katarzyna": ["Kasia"], "malgorzata": ["Gosia", "Małgosia"], "aleksandra": ["Ola"],
    "jakub": ["Kuba"], "bartosz": ["Bartek"], "wojciech": ["Wojtek"], "aleksander": ["Olek"],
    "franciszek": ["Franek"], "tomasz": ["Tomek"], "zuzanna": ["Zuzia"], "zofia": ["Zosia"],
    "magdalena": ["Magda", "Madzia"], "agnieszka": ["Aga"], "piotr": ["Piotrek"],
    "mateusz": ["Mati"], "krzysztof": ["Krzyś"], "wiktoria": ["Wika"], "natalia": ["Natka"],
    "maksymilian": ["Maks", "Max"], "weronika": ["Wera"], "szymon": ["Szymek"],
    "antoni": ["Antek"], "gabriela": ["Gabi"], "stanislaw": ["Staś"], "jozef": ["Józek"],
    "alexandru": ["Alex"], "constantin": ["Costel", "Costi"], "cristian": ["Cristi"],
    "gabriel": ["Gabi"], "teodora": ["Teo"], "antonia": ["Toni"], "daniela": ["Dani"],
    "oluwaseun": ["Seun"], "oluwatobi": ["Tobi"], "oluwadamilare": ["Dami", "Damilare"],
    "temiloluwa": ["Temi"], "oluwanifemi": ["Nifemi"], "ifeoluwa": ["Ife"],
    "chukwuemeka": ["Emeka"], "ayomide": ["Ayo"], "oluwatoyin": ["Toyin"], "babajide": ["Jide"],
    "oluwaseyi": ["Seyi"], "ebunoluwa": ["Ebun"], "tolulope": ["Tolu"],
    "oluwatomiwa": ["Tomiwa", "Tomi"], "chiamaka": ["Amaka"], "adebayo": ["Bayo"],
    "oluwadamilola": ["Dami"], "temitope": ["Tope", "Temi"], "oluwafemi": ["Femi"],
    "chinonso": ["Nonso"], "ifeanyi": ["Ify"], "chidera": ["Dera"],
    "jaskaran": ["Jas"], "jasleen": ["Jas"], "harjit": ["Harj"], "manpreet": ["Manny"],
    "krishna": ["Krish"], "priyanka": ["Priya"], "dominykas": ["Domas"],
    "kwabena": ["Kobby"], "nathanael": ["Nat"], "jeremiah": ["Jerry"],
}

# Spelling / transliteration variants: names in one group are the same name written differently.
VARIANT_GROUPS = [
    "Muhammad Mohammed Mohammad Muhammed Mohamed Mohamad Muhamad Mohamud Mahamed Maxamed",
    "Aleksander Alexander Aleksandr", "Aleksandra Alexandra", "Oliwia Olivia", "Oliwer Oliver",
    "Wiktoria Victoria Viktoria", "Wiktor Viktor Victor", "Jakub Jacob Jakob",
    "Mikołaj Mikolaj Nikolaj", "Michał Michal Michael", "Łukasz Lukasz Lucas Lukas",
    "Natalia Natalya", "Ștefan Stefan", "Rareș Rares", "Răzvan Razvan", "Ionuț Ionut",
    "Andreea Andrea", "Yusuf Yousuf Yousef Yusef Youssef", "Hussain Hussein Husain Hossain Xuseen",
    "Hassan Hasan Xasan", "Ayesha Aisha Aysha Ayisha Aishah", "Fatima Fatma Faatima Fatimah",
    "Faadumo Fadumo Fatuma", "Zainab Zaynab Zeinab", "Maryam Mariam Maryum Miriam",
    "Ibrahim Ebrahim Ibraheem", "Abdirahman Abdurahman Abdulrahman Cabdiraxmaan",
    "Abdullahi Abdillahi", "Osman Usman Uthman Othman Cismaan", "Omar Umar Omer Cumar",
    "Ismail Ismael Esmail", "Zakariya Zakaria Zakariyya Zakariye", "Hamza Hamzah",
    "Khadija Khadijah Hadija", "Amina Aminah Ameena", "Abdi Cabdi", "Ahmed Ahmad Axmed",
    "Ali Cali", "Hodan Xodan", "Hawa Xaawo", "Rahim Raheem", "Yasin Yaseen Yassin",
    "Chowdhury Choudhury Chaudhry Chaudhary Choudhary", "Hoque Haque Hoq Huq",
    "Miah Mia Meah", "Uddin Udin Ud-Din", "Rahman Rehman", "Mahmood Mehmood Mahmud Mahmoud",
    "Yousaf Yousuf", "Sheikh Shaikh Sheik", "Siddiqui Siddiqi", "Qureshi Quraishi Koreshi",
    "Al-Hassan Alhassan El-Hassan", "Al-Sayed Alsayed El-Sayed Elsayed", "Al-Ali Alali",
    "Al-Najjar Alnajjar", "Jiahao Jia-Hao", "Zihan Zi-Han", "Yuxuan Yu-Xuan", "Xinyi Xin-Yi",
    "Haoran Hao-Ran", "Yichen Yi-Chen", "Zixuan Zi-Xuan", "Yutong Yu-Tong", "Ruoxi Ruo-Xi",
    "Junjie Jun-Jie", "Chen Chan", "Zhang Cheung Chang", "Wang Wong", "Liu Lau", "Li Lee Lei",
    "Wu Ng Woo", "Zhou Chow Chau", "Lin Lam", "He Ho",
    "Dzesika Džesika Jessica Jesika", "Nikoleta Nicoleta", "Vanesa Vanessa", "Horváth Horvath",
    "Oláh Olah", "Rostas Rostaș Rostash", "Lakatos Lacatus", "Balog Balogh", "Patrik Patrick",
    "Erik Eric", "Denis Dennis", "Rene René", "Kristina Christina", "Rebeka Rebecca",
    "Bianka Bianca", "Jozef Józef", "Jokūbas Jokubas", "Emilija Emilia", "Amelija Amelia",
    "Lėja Leja Leya", "Gabrielė Gabriele", "Łucja Lucja Lucia",
    "Jayden Jaden Jaiden Jaydon Jaydan", "Kayden Kaiden Caden Kaden", "Isabel Isobel Isabelle",
    "Darcie Darcey Darcy", "Mollie Molly", "Leah Lea Leia", "Zoe Zoë Zoey",
    "Keira Kiera Kira", "Freddie Freddy", "Aaliyah Aliyah Aaliya", "Lacey Lacie",
    "Maisie Maisy Macie", "Evie Evey", "Tia Tiah", "Mackenzie McKenzie", "Kacey Kacie Kaycee",
    "Sofia Sophia", "Elliot Elliott Eliot", "Aidan Aiden Ayden", "Jaxon Jaxson Jackson",
    "Riley Ryley Rylee", "Tyrese Tyreese Ty'rese", "Callum Calum Kallum", "Connor Conor Conner",
    "Niamh Neve Neeve", "Caitlin Caitlyn Katelyn", "Katherine Catherine Kathryn Katharine",
    "Stephen Steven", "Matthew Mathew", "Layla Laila Leila", "Aimee Amy", "Hayley Haley Hailey",
    "Rhys Reece Reese", "Jamie Jaime", "Sean Shaun Shawn", "Ellie Elli",
    "McDonald MacDonald Mcdonald Macdonald", "Thompson Thomson", "Clarke Clark",
    "Phillips Philips", "Matthews Mathews", "Davies Davis", "Reid Reed Read", "Smith Smyth",
    "Stephens Stevens", "Gray Grey", "Doherty Docherty", "Gallagher Gallacher",
    "McDonagh McDonough", "Maughan Maugham", "Begum Begom", "Kaur Kour", "Singh Sing",
]
# Phonetic spellings a neighbour or the public writes for names they have only heard.
HEARD = {
    "caoimhe": ["Keeva", "Kweeva"], "aoife": ["Eefa", "Eva"], "saoirse": ["Seersha", "Sersha"],
    "niamh": ["Neeve", "Neve"], "sinead": ["Shinead", "Shanade"], "tadhg": ["Tige", "Teig"],
    "oisin": ["Osheen"], "ruairi": ["Rory"], "padraig": ["Porick"], "siobhan": ["Shivon"],
    "grainne": ["Grania"], "roisin": ["Rosheen"], "ailbhe": ["Alva"], "eimear": ["Emer"],
    "nguyen": ["Win"], "xasan": ["Hasan"], "faadumo": ["Fadumo"], "oluwaseun": ["Oluseun"],
    "jiahao": ["Jiahow"], "szymon": ["Shimon"], "wojciech": ["Voytek"], "krzysztof": ["Kristof"],
    "zuzanna": ["Zuzana"], "dzesika": ["Jessika"], "ionut": ["Yonut"],
}
# Pairs of names twins are given.
TWIN_PAIRS = [("Jayden", "Jaden"), ("Hassan", "Hussain"), ("Hasan", "Husain"),
              ("Amelia", "Amelie"), ("Ella", "Ellie"), ("Mia", "Maya"), ("Ruby", "Rosie"),
              ("Jacob", "Joshua"), ("Tyler", "Tayla"), ("Layla", "Lily"), ("Faith", "Hope"),
              ("Kai", "Kian"), ("Isaac", "Isaiah"), ("Harry", "Harvey"), ("Alfie", "Archie"),
              ("Millie", "Mollie"), ("Evie", "Ellie"), ("Hana", "Hina"), ("Amir", "Amira"),
              ("Ali", "Aliya"), ("Jan", "Jana"), ("Oliwer", "Oliwia"), ("Oliver", "Olivia"),
              ("Leo", "Leon"), ("Noah", "Nia"), ("Aaron", "Aron"), ("Aiden", "Aidan"),
              ("Zain", "Zayn"), ("Hamza", "Hamzah"), ("Ayaan", "Rayyan"), ("Tahmid", "Tamim"),
              ("Amina", "Amira"), ("Chloe", "Zoe"), ("Lacey", "Lucy"), ("Reece", "Rhys")]
TWIN_SEX = {"Tayla": "F", "Amelie": "F", "Hope": "F", "Faith": "F", "Amira": "F", "Aliya": "F",
            "Jana": "F", "Oliwia": "F", "Olivia": "F", "Nia": "F", "Hina": "F", "Hana": "F",
            "Maya": "F", "Mia": "F", "Ella": "F", "Ellie": "F", "Ruby": "F", "Rosie": "F",
            "Layla": "F", "Lily": "F", "Millie": "F", "Mollie": "F", "Evie": "F", "Amelia": "F",
            "Amina": "F", "Chloe": "F", "Zoe": "F", "Lacey": "F", "Lucy": "F"}

STREET_FIRST = W("""Church Station Victoria Albert Park Mill High Queen King Chapel Manor Grange
Orchard Meadow Springfield Windsor Beech Oak Elm Ash Cedar Willow Hawthorn Rowan Birch Holly Ivy
Laburnum Sycamore Chestnut Poplar Lime Larch Alder Hazel Heather Primrose Bluebell Foxglove Clover
Mulberry Cherry Apple Pear Plum Vicarage Rectory School Market Bridge Canal River Brook Mill
Foundry Forge Tannery Wharf Quarry Colliery Railway Cemetery Hospital Union Co-operative Nelson
Wellington Trafalgar Waterloo Balaclava Alma Gladstone Disraeli Peel Palmerston Cromwell Milton
Shakespeare Byron Tennyson Wordsworth Chaucer Keats Shelley Dickens Brontë Blake Ruskin Morris
Stanley Percy Howard Neville Talbot Beaumont Grosvenor Russell Cavendish Spencer Clarendon Hampton
Kingsley Ashfield Highfield Longfield Broadfield Westfield Northfield Eastfield Southfield Greenway
Hillside Hillcrest Woodside Brookside Riverside Lakeside Fernhill Redhill Windmill Sandy Stony
Cross Green Moor Heath Common Marsh Fold Croft Barn Dovecote Holme Ings Carr Tithe Glebe Priory
Abbey Minster St_John's St_Mary's St_Peter's St_Anne's St_Michael's
Coronation Jubilee Festival Empire Commercial Regent Cambridge Oxford York Lancaster Durham Bedford
Warwick Stafford Derby Chester Lincoln Norfolk Suffolk Devon Cornwall Kent Essex Dorset Rutland""")
STREET_SUFFIX = [("Road", 30), ("Street", 26), ("Lane", 12), ("Avenue", 9), ("Close", 9),
                 ("Drive", 6), ("Crescent", 5), ("Way", 4), ("Grove", 4), ("Terrace", 4),
                 ("Gardens", 4), ("Place", 3), ("Court", 3), ("Walk", 2), ("Rise", 2),
                 ("Mews", 1), ("View", 1), ("Row", 1)]
ABBREV = {"Road": "Rd", "Street": "St", "Lane": "Ln", "Avenue": "Ave", "Close": "Cl",
          "Drive": "Dr", "Crescent": "Cres", "Gardens": "Gdns", "Terrace": "Terr", "Place": "Pl",
          "Court": "Ct", "Grove": "Gr", "Saint": "St"}
BLOCK_NAMES = W("""Nelson Wellington Churchill Attlee Bevan Pankhurst Priestley Brunel Faraday
Newton Darwin Lister Seacole Nightingale Turing Lovelace Hepworth Lowry Elgar Purcell Telford
Arkwright Stephenson Wedgwood Cavell Fry Keir-Hardie Orwell""")
BLOCK_KIND = ["House", "Court", "Tower", "Heights", "Lodge", "Point", "Mansions"]
HOUSE_NAMES = W("""Rose_Cottage Ivy_Cottage The_Willows The_Laurels Hillview Fernlea Orchard_House
The_Old_Forge The_Old_School_House Meadowbank Greystones Holly_Lodge Brook_Farm Beechwood
Woodlands The_Cottage Mill_House Springfield_Farm Hawthorn_Cottage Lilac_Cottage The_Barn
Sunnyside Westfield_House Crossways""")
# Outward codes of the fictional area.  HN is not a real postcode area; the format is real.
DISTRICTS = [  # district, town, locality, weight (share of homes), rural
    ("HN1", "Hanbury", "", 10, False), ("HN2", "Hanbury", "Millbrook", 12, False),
    ("HN3", "Hanbury", "St Anne's", 11, False), ("HN4", "Hanbury", "Eastgate", 10, False),
    ("HN5", "Hanbury", "Northfield", 9, False), ("HN6", "Ashcombe", "", 8, False),
    ("HN7", "Ashcombe", "Ashcombe Vale", 6, False), ("HN8", "Thornley", "", 7, False),
    ("HN9", "Thornley", "Thornley Bridge", 5, False), ("HN10", "Brindle Cross", "", 4, True),
    ("HN11", "Upper Wick", "", 3, True), ("HN12", "Ellerby", "Low Ellerby", 3, True),
]
# Another fictional area for the homes families left (other local authorities).
AWAY_DISTRICTS = [("YW1", "Yewbridge"), ("YW2", "Yewbridge"), ("YW3", "Yewbridge"),
                  ("YW4", "Carnforth Hey"), ("YW5", "Carnforth Hey"), ("YW7", "Saltmoor"),
                  ("YW9", "Saltmoor"), ("YW12", "Deanholme")]
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"   # no C I K M O V in the inward code

SOURCES = ["police", "health", "neighbour", "public", "housing", "other_la"]

# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


class Pool:
    """Weighted choice from a fixed list (weights default to a Zipf curve)."""
    __slots__ = ("cum", "items", "total")

    def __init__(self, items, weights=None, s=1.0, k=6.0):
        if weights is None:
            weights = [1.0 / ((i + k) ** s) for i in range(len(items))]
        self.items = list(items)
        self.cum = []
        acc = 0.0
        for w in weights:
            acc += w
            self.cum.append(acc)
        self.total = acc

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def strip_accents(s: str) -> str:
    if s.isascii():
        return s
    s = s.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


_NOT_LETTER = re.compile(r"[^a-z]")


@functools.cache
def key(s: str) -> str:
    """Lower-case letters only, no accents: the comparison form of a name."""
    return _NOT_LETTER.sub("", strip_accents(s).lower())


def name_case(s: str) -> str:
    """Title case a name the way it is written: O'Brien, McDonald, Smith-Jones, Mary-Ann."""
    out = []
    for part in re.split(r"([\-' \u2019])", s.lower()):
        if not part or part in "-' \u2019":
            out.append(part)
            continue
        p = part[0].upper() + part[1:]
        if p.startswith("Mc") and len(p) > 2:
            p = "Mc" + p[2].upper() + p[3:]
        out.append(p)
    return "".join(out)


def add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:   # 29 February
        return d.replace(year=d.year + n, day=28)


def age_on(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


GROUP_NAMES = {g: {key(n) for lst in (v[1], v[2], v[4], v[5]) for n in lst} for g, v in GROUPS.items()}
for _g in ("caribbean", "irish", "traveller"):
    GROUP_NAMES[_g] |= GROUP_NAMES["british"]
VARIANT_OF: dict[str, list[str]] = {}
for _g in VARIANT_GROUPS:
    _names = [n.replace("_", " ") for n in _g.split()]
    for _n in _names:
        VARIANT_OF.setdefault(key(_n), [])
        VARIANT_OF[key(_n)] += [m for m in _names if key(m) != key(_n) and m not in VARIANT_OF[key(_n)]]
NICK_OF: dict[str, list[str]] = {key(k): v for k, v in NICK.items()}
FORMAL_OF: dict[str, list[str]] = defaultdict(list)
for _f, _ns in NICK.items():
    for _n in _ns:
        FORMAL_OF[key(_n)].append(_f)


@functools.cache
def name_family(s: str) -> str:
    """One label for a forename and its spellings and short forms (for 'a different name')."""
    k = key(s.split(" ")[0]) if s else ""
    if k in FORMAL_OF:
        k = key(FORMAL_OF[k][0])
    alts = [key(v) for v in VARIANT_OF.get(k, [])]
    return min([k, *alts]) if alts else k


# Misspellings: sound-alike substitutions first, then keyboard slips.
PHONETIC = [("ph", "f"), ("f", "ph"), ("ck", "k"), ("k", "ck"), ("c", "k"), ("k", "c"),
            ("y", "i"), ("i", "y"), ("ie", "y"), ("y", "ie"), ("ey", "y"), ("ee", "ea"),
            ("ea", "ee"), ("ou", "o"), ("z", "s"), ("s", "z"), ("th", "t"), ("mm", "m"),
            ("nn", "n"), ("ll", "l"), ("l", "ll"), ("tt", "t"), ("rr", "r"), ("ai", "ay"),
            ("ay", "ai"), ("sh", "ch"), ("w", "v"), ("kh", "k"), ("oo", "u"), ("aa", "a"),
            ("ah", "a"), ("son", "sen"), ("mc", "mac"), ("mac", "mc"), ("ei", "ie"), ("ie", "ei"),
            ("j", "dj"), ("x", "ks"), ("ks", "x"), ("qu", "kw"), ("er", "a"), ("a", "er"),
            ("d", "dd"), ("n", "nn"), ("r", "rr"), ("t", "tt"), ("e", "a"), ("a", "e"),
            ("o", "a"), ("u", "o"), ("dh", "d"), ("gh", "g"), ("oe", "o"), ("ae", "a")]
KEYS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NEIGHBOUR = {}
for _r, _row in enumerate(KEYS):
    for _c, _ch in enumerate(_row):
        nb = []
        for dr in (-1, 0, 1):
            rr = _r + dr
            if 0 <= rr < 3:
                for dc in (-1, 0, 1):
                    cc = _c + dc
                    if (dr or dc) and 0 <= cc < len(KEYS[rr]):
                        nb.append(KEYS[rr][cc])
        NEIGHBOUR[_ch] = nb


def misspell(name: str, rng: random.Random, heard: bool = False) -> str:
    """A plausible misspelling of name (never the same letters)."""
    base = strip_accents(name)
    low = base.lower()
    if heard and key(name) in HEARD:
        return rng.choice(HEARD[key(name)])
    for _ in range(12):
        if rng.random() < 0.6:
            rules = [(a, b) for a, b in PHONETIC if a in low[1:]]
            if rules:
                a, b = rng.choice(rules)
                starts = [i for i in range(1, len(low)) if low.startswith(a, i)]
                i = rng.choice(starts)
                out = low[:i] + b + low[i + len(a):]
            else:
                continue
        else:
            letters = [i for i in range(1, len(low)) if low[i].isalpha()]
            if not letters:
                continue
            i = rng.choice(letters)
            op = rng.random()
            if op < 0.3:
                out = low[:i] + low[i + 1:]
            elif op < 0.5:
                out = low[:i] + low[i] + low[i:]
            elif op < 0.75 and i + 1 < len(low) and low[i + 1].isalpha() and low[i + 1] != low[i]:
                out = low[:i] + low[i + 1] + low[i] + low[i + 2:]
            else:
                nb = NEIGHBOUR.get(low[i])
                if not nb:
                    continue
                out = low[:i] + rng.choice(nb) + low[i + 1:]
        if key(out) != key(name) and len(key(out)) >= 2:
            return name_case(out)
    return name_case(low + ("e" if not low.endswith("e") else "a"))


# ----------------------------------------------------------------------------------------------
# Places: streets, postcode units and homes in the fictional area (and in the areas families
# left).  Everything is drawn once, from the seed.
# ----------------------------------------------------------------------------------------------


class Street:
    __slots__ = ("blocks", "district", "locality", "max_no", "name", "named", "rural", "sector",
                 "sid", "town", "units", "used")


class Addr:
    __slots__ = ("building", "district", "kind", "locality", "number", "postcode", "street",
                 "street_id", "sub", "town")

    def __init__(self, sub, building, number, street, locality, town, postcode, district,
                 street_id, kind):
        self.sub, self.building, self.number, self.street = sub, building, number, street
        self.locality, self.town, self.postcode, self.district = locality, town, postcode, district
        self.street_id, self.kind = street_id, kind

    def same_home(self, other: Addr | None) -> bool:
        return other is not None and (self.sub, self.building, self.number, self.street,
                                      self.postcode) == (other.sub, other.building, other.number,
                                                         other.street, other.postcode)


class Places:
    def __init__(self, rng: random.Random, homes_expected: int):
        self.rng = rng
        self.units_used: set[str] = set()
        self.streets: list[Street] = []
        self.by_district: dict[str, list[Street]] = {d[0]: [] for d in DISTRICTS}
        self.names_used: dict[str, set[str]] = defaultdict(set)
        self.suffix_pool = Pool([s for s, _ in STREET_SUFFIX], [w for _, w in STREET_SUFFIX])
        self.first_pool = Pool(STREET_FIRST, s=0.6, k=10)
        total_w = sum(d[3] for d in DISTRICTS)
        for district, town, locality, weight, rural in DISTRICTS:
            homes = homes_expected * weight / total_w
            n = max(4, math.ceil(homes / (14 if rural else 24)))
            for _ in range(n):
                self._new_street(district, town, locality, rural)
        self.district_pool = Pool([d[0] for d in DISTRICTS], [d[3] for d in DISTRICTS])
        self.district_info = {d[0]: d for d in DISTRICTS}
        # Special places: temporary accommodation and Traveller sites.
        self.hostels = [self._special("HN1", "Hanbury Lodge", "Station Road", "Room"),
                        self._special("HN3", "Kingsway House", "Kingsway", "Room"),
                        self._special("HN6", "The Beeches Family Centre", "Beech Road", "Unit")]
        self.sites = [self._special("HN10", "Bramble Lane Caravan Park", "Bramble Lane", "Plot"),
                      self._special("HN8", "Thornley Common Travellers' Site", "Common Lane",
                                    "Pitch")]

    def _street_name(self, town: str) -> str:
        for _ in range(40):
            name = f"{self.first_pool.pick(self.rng)} {self.suffix_pool.pick(self.rng)}"
            if self.rng.random() < 0.03:
                name = f"{name} {self.rng.choice(['North', 'South', 'East', 'West'])}"
            if name not in self.names_used[town]:
                self.names_used[town].add(name)
                return name
        name = f"{self.first_pool.pick(self.rng)} {self.suffix_pool.pick(self.rng)} {len(self.names_used[town])}"
        self.names_used[town].add(name)
        return name

    def _unit(self, outward: str, sector: int) -> str:
        rng = self.rng
        for _ in range(200):
            pc = f"{outward} {sector}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
            if pc not in self.units_used:
                self.units_used.add(pc)
                return pc
            sector = rng.randint(0, 9)
        raise RuntimeError("postcode units exhausted")

    def _new_street(self, district, town, locality, rural) -> Street:
        rng = self.rng
        st = Street()
        st.sid = len(self.streets)
        st.district, st.town, st.rural = district, town, rural
        st.locality = locality if (locality and rng.random() < 0.7) else ""
        st.name = self._street_name(town)
        st.max_no = rng.choice([8, 12, 16, 24, 30, 40, 56, 72, 90, 120, 160])
        st.sector = rng.randint(1, 9)
        st.units = [self._unit(district, st.sector) for _ in range(max(1, math.ceil(st.max_no / 22)))]
        st.used = set()
        st.named = set()
        st.blocks = []
        if not rural and rng.random() < 0.22:
            for _ in range(rng.randint(1, 3)):
                no = rng.randint(1, st.max_no)
                pc = st.units[min(len(st.units) - 1, (no - 1) // 22)]
                if rng.random() < 0.45:   # a converted house: Flat A / 23A
                    st.blocks.append({"number": str(no), "name": "", "flats": rng.randint(2, 4),
                                      "next": 0, "letters": True, "pc": pc})
                else:
                    nm = f"{rng.choice(BLOCK_NAMES)} {rng.choice(BLOCK_KIND)}"
                    st.blocks.append({"number": str(no) if rng.random() < 0.6 else "",
                                      "name": nm, "flats": rng.randint(6, 40), "next": 0,
                                      "letters": False, "pc": pc})
                st.used.add(no)
        self.streets.append(st)
        self.by_district[district].append(st)
        return st

    def _special(self, district, building, street_name, unit_word):
        st = Street()
        st.sid = len(self.streets)
        st.district = district
        st.town = self.district_info_town(district)
        st.locality = ""
        st.rural = False
        st.name = street_name
        self.names_used[st.town].add(street_name)
        st.max_no = 0
        st.sector = self.rng.randint(1, 9)
        st.units = [self._unit(district, st.sector)]
        st.used, st.named = set(), set()
        st.blocks = [{"number": "", "name": building, "flats": 10 ** 6, "next": 0,
                      "letters": False, "word": unit_word, "pc": st.units[0]}]
        self.streets.append(st)
        return st

    @staticmethod
    def district_info_town(district):
        return next(d[1] for d in DISTRICTS if d[0] == district)

    def random_street(self, district: str | None = None) -> Street:
        if district is None:
            district = self.district_pool.pick(self.rng)
        return self.rng.choice(self.by_district[district])

    def home(self, street: Street | None = None, district: str | None = None,
             kind: str = "") -> Addr:
        """A new home nobody else lives in (a flat in a block counts as its own home)."""
        rng = self.rng
        if kind == "hostel":
            street = rng.choice(self.hostels)
        elif kind == "site":
            street = rng.choice(self.sites)
        if street is None:
            street = self.random_street(district)
        r = rng.random()
        if street.blocks and (street.max_no == 0 or r < 0.35):
            b = rng.choice(street.blocks)
            if b["next"] < b["flats"]:
                b["next"] += 1
                n = b["next"]
                if "word" in b:
                    sub = f"{b['word']} {n}"
                elif b["letters"]:
                    sub = f"Flat {'ABCD'[n - 1]}"
                else:
                    sub = f"Flat {n}"
                return Addr(sub, b["name"], b["number"], street.name, street.locality,
                            street.town, b["pc"], street.district, street.sid,
                            "special" if "word" in b else "flat")
        if street.rural and r < 0.45:
            for _ in range(10):
                hn = rng.choice(HOUSE_NAMES)
                if hn not in street.named:
                    street.named.add(hn)
                    no = ""
                    if rng.random() < 0.25:
                        no = str(self._free_number(street))
                    return Addr("", hn, no, street.name, street.locality, street.town,
                                rng.choice(street.units), street.district, street.sid, "named")
        no = self._free_number(street)
        pc = street.units[min(len(street.units) - 1, (no - 1) // 22)]
        return Addr("", "", str(no), street.name, street.locality, street.town, pc,
                    street.district, street.sid, "house")

    def _free_number(self, street: Street) -> int:
        rng = self.rng
        for _ in range(8):
            no = rng.randint(1, street.max_no)
            if no not in street.used:
                street.used.add(no)
                return no
        street.max_no += 2
        no = street.max_no
        if (no - 1) // 22 >= len(street.units):
            street.units.append(self._unit(street.district, street.sector))
        street.used.add(no)
        return no

    def away(self) -> Addr:
        """A home in another authority's area (where a family lived before, or says it does)."""
        rng = self.rng
        outward, town = rng.choice(AWAY_DISTRICTS)
        name = f"{self.first_pool.pick(rng)} {self.suffix_pool.pick(rng)}"
        pc = self._unit(outward, rng.randint(1, 9))
        if rng.random() < 0.2:
            return Addr(f"Flat {rng.randint(1, 30)}", f"{rng.choice(BLOCK_NAMES)} {rng.choice(BLOCK_KIND)}",
                        "", name, "", town, pc, outward, -1, "flat")
        return Addr("", "", str(rng.randint(1, 140)), name, "", town, pc, outward, -1, "house")


def render_address(a: Addr, rng: random.Random, *, abbrev: float = 0.2, town: float = 0.5,
                   locality: float = 0.3, case: str = "title", postcode_in_text: bool = False) -> str:
    """One way of writing the address lines (no postcode unless postcode_in_text)."""
    street = a.street
    if rng.random() < abbrev:
        words = street.split(" ")
        words = [ABBREV.get(w, w) if i == len(words) - 1 or w == "Saint" else w
                 for i, w in enumerate(words)]
        if words[-1] in ("North", "South", "East", "West") and len(words) > 2:
            words[-2] = ABBREV.get(words[-2], words[-2])
        street = " ".join(words)
    sep = ", " if rng.random() < 0.8 else " "
    parts: list[str] = []
    if a.kind in ("flat", "special"):
        sub = a.sub
        st = f"{a.number} {street}" if a.number else street
        style = rng.random()
        if a.kind == "flat" and sub.startswith("Flat ") and len(sub) == 6 and sub[5].isalpha() \
                and a.number and style < 0.4:
            parts = [f"{a.number}{sub[5]} {street}"]                    # 23A Church Road
        elif a.building:
            if style < 0.55:
                parts = [sub, a.building, st]
            elif style < 0.8:
                parts = [f"{sub} {a.building}", st]
            elif style < 0.92 and sub.startswith("Flat "):
                parts = [f"{sub[5:]} {a.building}", st]                 # 5 Nelson House
            else:
                parts = [a.building, st, sub]
        else:
            if style < 0.6:
                parts = [sub, st]                                        # Flat 3, 12 High St
            elif style < 0.8:
                parts = [f"{sub} {st}"]                                  # Flat 3 12 High St
            elif style < 0.9 and sub.startswith("Flat "):
                parts = [sub[5:], st]                                    # 3, 12 High St
            else:
                parts = [st, sub]                                        # 12 High St, Flat 3
    elif a.kind == "named":
        if a.number and rng.random() < 0.5:
            parts = [f"{a.number} {street}"] if rng.random() < 0.3 else [a.building, f"{a.number} {street}"]
        else:
            parts = [a.building, street]
    else:
        parts = [f"{a.number} {street}"]
    if a.locality and rng.random() < locality:
        parts.append(a.locality)
    if rng.random() < town:
        parts.append(a.town)
    if postcode_in_text and a.postcode:
        parts.append(a.postcode)
    text = sep.join(p for p in parts if p)
    if case == "upper":
        text = text.upper()
    elif case == "lower":
        text = text.lower()
    return text


def render_postcode(pc: str, rng: random.Random, messy: float) -> str:
    if not pc or rng.random() >= messy:
        return pc
    r = rng.random()
    if r < 0.5:
        return pc.replace(" ", "")
    if r < 0.8:
        return pc.lower()
    return pc.lower().replace(" ", "")


# ----------------------------------------------------------------------------------------------
# People
# ----------------------------------------------------------------------------------------------


class Child:
    __slots__ = ("alts", "cid", "dob", "forename", "former", "hh", "middle", "preferred",
                 "roll", "sex", "surname", "twin", "upn")

    def __init__(self, hh, forename, middle, surname, sex, dob):
        self.hh, self.forename, self.middle, self.surname = hh, forename, middle, surname
        self.sex, self.dob = sex, dob
        self.former = ""          # a surname the child had before (step-parent's name taken)
        self.preferred = ""       # the name the child goes by
        self.alts: dict[str, str] = {}   # other surnames: mother_surname, stepparent_surname, ...
        self.twin = None
        self.upn = ""
        self.roll = None          # the roll record (dict) when the child is on the roll
        self.cid = -1


class Household:
    __slots__ = (
        "addr",
        "children",
        "district",
        "fam",
        "father_given",
        "ftype",
        "group",
        "hid",
        "mother",
        "origin_estab",
        "origin_la",
        "prev_addr",
        "sikh_style",
        "step",
        "street",
    )

    def __init__(self):
        self.children: list[Child] = []
        self.prev_addr = None
        self.father_given = ""
        self.sikh_style = ""
        self.step = ""
        self.mother = ""


def build_pools():
    pools = {}
    rng = random.Random(7)   # fixed order of the made-up surname tail, independent of --seed
    tail = [f"{p}{s}" for p in SURNAME_PREFIX for s in SURNAME_SUFFIX]
    rng.shuffle(tail)
    tail = tail[:1000]
    for g, (_, boys, girls, surnames, boys_x, girls_x) in GROUPS.items():
        if g == "british":
            sn = surnames + [t for t in tail if t not in surnames]
            sur = Pool(sn, s=1.2, k=30)
        else:
            sur = Pool(surnames, s=0.7, k=5)
        pools[g] = {"M": Pool(boys + boys_x, s=1.0, k=4), "F": Pool(girls + girls_x, s=1.0, k=4),
                    "S": sur, "any": Pool(boys + girls, s=0.8, k=4)}
    pools["middle"] = {"M": Pool(MIDDLE_BOYS, s=0.9, k=2), "F": Pool(MIDDLE_GIRLS, s=0.9, k=2)}
    pools["chi_en"] = {"M": Pool(CHI_EN_BOYS, s=0.7), "F": Pool(CHI_EN_GIRLS, s=0.7)}
    pools["muhammad"] = {g: Pool([f for f, _ in v], [w for _, w in v])
                         for g, v in MUHAMMAD_FORMS.items()}
    return pools


def polish_form(surname: str, sex: str) -> str:
    if sex == "F":
        for m, f in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
            if surname.endswith(m):
                return surname[: -len(m)] + f
    return surname


def lithuanian_form(surname: str, sex: str) -> str:
    if sex != "F":
        return surname
    for end, fem in (("ius", "iūtė"), ("as", "aitė"), ("is", "ytė"), ("ys", "ytė"), ("us", "utė")):
        if surname.endswith(end):
            return surname[: -len(end)] + fem
    return surname


def lithuanian_mother(surname: str) -> str:
    for end in ("ius", "as", "is", "ys", "us"):
        if surname.endswith(end):
            return surname[: -len(end)] + "ienė"
    return surname


class World:
    """The households and children of the area: rolled children and everyone built later."""

    def __init__(self, rng: random.Random, as_of: dt.date, homes_expected: int, small: bool):
        self.rng = rng
        self.as_of = as_of
        self.small = small
        self.ay = as_of.year if as_of.month >= 9 else as_of.year - 1   # academic year start
        self.lo = dt.date(self.ay - 16, 9, 1)    # oldest: Year 11
        self.hi = dt.date(self.ay - 4, 8, 31)    # youngest: Reception
        self.span = (self.hi - self.lo).days
        self.places = Places(rng, homes_expected)
        self.pools = build_pools()
        self.households: list[Household] = []
        self.by_surname: dict[str, list[Household]] = defaultdict(list)
        # District-level mix: each district bends the area's mix (clusters of communities).
        self.group_pool = {}
        names = list(GROUPS)
        bends = {}
        for g in names:
            b = []
            for d in DISTRICTS:
                x = math.exp(rng.gauss(0, 0.9)) if g != "british" else 1.0
                if d[4] and g not in ("british", "traveller", "irish", "polish"):
                    x *= 0.25
                b.append(x)
            mean = sum(x * d[3] for x, d in zip(b, DISTRICTS, strict=True)) / sum(d[3] for d in DISTRICTS)
            bends[g] = [x / mean for x in b]
        for i, d in enumerate(DISTRICTS):
            self.group_pool[d[0]] = Pool(names, [GROUPS[g][0] * bends[g][i] for g in names])

    # -- names ---------------------------------------------------------------------------------

    def forename(self, group: str, sex: str, avoid: set[str]) -> tuple[str, list[str], str]:
        """(forename, middle names, preferred) for a new child, unlike the names in avoid."""
        rng, pools = self.rng, self.pools
        for _ in range(30):
            middle: list[str] = []
            preferred = ""
            if sex == "M" and group in MUHAMMAD_SHARE and rng.random() < MUHAMMAD_SHARE[group]:
                fore = pools["muhammad"][group].pick(rng)
                second = pools[group]["M"].pick(rng)
                if key(second) in ("muhammad", "mohammed", "mohamed", "mohammad"):
                    continue
                middle = [second]
                if rng.random() < 0.6:
                    preferred = second
                fam = name_family(second)
            else:
                if group == "chinese" and rng.random() < 0.35:
                    fore = pools["chi_en"][sex].pick(rng)
                    middle = [pools["chinese"][sex].pick(rng)]
                else:
                    fore = pools[group][sex].pick(rng)
                    if group == "chinese" and rng.random() < 0.5:
                        preferred = pools["chi_en"][sex].pick(rng)
                fam = name_family(fore)
            if fam in avoid:
                continue
            if not middle:
                middle = self._middle(group, sex, fore)
            if not preferred:
                nk = NICK_OF.get(key(fore))
                if nk and rng.random() < 0.22:
                    preferred = rng.choice(nk)
                elif middle and group in ("british", "irish") and rng.random() < 0.02:
                    preferred = middle[0]
            return fore, middle, preferred
        return fore, middle, preferred

    def _middle(self, group, sex, fore) -> list[str]:
        rng, pools = self.rng, self.pools
        r = rng.random()
        if group in ("british", "caribbean", "irish", "traveller"):
            if r < 0.72:
                m = [pools["middle"][sex].pick(rng) if rng.random() < 0.7 else pools[group][sex].pick(rng)]
                if rng.random() < 0.1:
                    m.append(pools["middle"][sex].pick(rng))
                return [x for x in dict.fromkeys(m) if key(x) != key(fore)]
            return []
        if group == "nigerian" and r < 0.75:
            m = [pools["nigerian"]["any"].pick(rng)]
            if rng.random() < 0.4:
                m.append(pools["nigerian"]["any"].pick(rng))
            return [x for x in dict.fromkeys(m) if key(x) != key(fore)]
        if group in ("polish", "romanian", "lithuanian", "ghanaian", "roma") and r < 0.3:
            m = pools[group][sex].pick(rng)
            return [m] if key(m) != key(fore) else []
        if group in ("pakistani", "bangladeshi", "afghan", "arab_kurdish") and r < 0.2:
            m = pools[group][sex].pick(rng)
            return [m] if key(m) != key(fore) else []
        if group in ("gujarati",) and r < 0.15:
            return [pools["gujarati"]["M"].pick(rng)]   # father's name as a middle name
        return []

    def surname_for(self, hh: Household, sex: str, base: str) -> tuple[str, dict[str, str]]:
        """The child's surname under the family's naming customs, and the other forms used."""
        rng, g = self.rng, hh.group
        alts: dict[str, str] = {}
        if g == "polish":
            s = polish_form(base, sex)
            if s != base:
                alts["surname_convention"] = base     # the father's (masculine) form
            return s, alts
        if g == "lithuanian":
            s = lithuanian_form(base, sex)
            if s != base:
                alts["surname_convention"] = base
            return s, alts
        if g == "bangladeshi" and sex == "F":
            r = rng.random()
            if r < 0.4:
                alts["surname_convention"] = base
                return "Begum", alts
            if r < 0.5:
                alts["surname_convention"] = base
                return "Khatun", alts
        if g == "pakistani" and sex == "F":
            r = rng.random()
            if r < 0.06:
                alts["surname_convention"] = base
                return "Bibi", alts
            if r < 0.09:
                alts["surname_convention"] = base
                return "Kausar", alts
        if g == "sikh":
            title = "Singh" if sex == "M" else "Kaur"
            if hh.sikh_style == "title":
                alts["surname_convention"] = base
                return title, alts
            alts["surname_convention"] = title
            return base, alts
        if g == "somali" and hh.father_given:
            alts["surname_convention"] = hh.father_given
        return base, alts

    # -- households ----------------------------------------------------------------------------

    def _dobs(self, events: int) -> list[dt.date]:
        rng = self.rng
        for _ in range(60):
            days = sorted(rng.randrange(self.span + 1) for _ in range(events))
            if all(b - a >= 300 for a, b in itertools.pairwise(days)):
                return [self.lo + dt.timedelta(days=d) for d in days]
        return self._dobs(events - 1) if events > 1 else [self.lo + dt.timedelta(days=rng.randrange(self.span + 1))]

    def new_household(self, n_children: int, district: str | None = None,
                      street: Street | None = None, group: str | None = None,
                      fam: str | None = None, address: Addr | None = None) -> Household:
        rng, pools = self.rng, self.pools
        hh = Household()
        hh.hid = len(self.households)
        if street is not None:
            district = street.district
        if district is None:
            district = self.places.district_pool.pick(rng)
        hh.district = district
        hh.group = group or self.group_pool[district].pick(rng)
        g = hh.group
        special = ""
        if address is None:
            if g in ("traveller", "roma") and rng.random() < (0.45 if g == "traveller" else 0.1):
                special = "site"
            elif rng.random() < 0.012:
                special = "hostel"
        hh.addr = address or self.places.home(street=street, district=district, kind=special)
        hh.district = hh.addr.district
        hh.street = hh.addr.street_id
        if rng.random() < 0.2:      # moved in the last two years
            hh.prev_addr = self.places.home() if rng.random() < 0.55 else self.places.away()
        hh.origin_la = HOME_LA
        if (hh.prev_addr is not None and hh.prev_addr.street_id == -1) or rng.random() < 0.08:
            hh.origin_la = rng.choice(OTHER_LAS)
        hh.origin_estab = 0
        hh.fam = fam or pools[g]["S"].pick(rng)
        if g == "somali":
            hh.father_given = pools["somali"]["M"].pick(rng)
            if key(hh.father_given) == key(hh.fam):
                hh.father_given = "Abdi" if key(hh.fam) != "abdi" else "Warsame"
        if g == "sikh":
            hh.sikh_style = "title" if rng.random() < 0.45 else "family"
        western = g in ("british", "caribbean", "irish", "traveller") or rng.random() < 0.1
        r = rng.random()
        if not western:
            ftype = "same" if r < 0.88 else ("single" if r < 0.95 else "blended")
        else:
            ftype = "same" if r < 0.55 else "diff" if r < 0.67 else "single" if r < 0.87 else "blended"
        if ftype == "blended" and n_children < 2:
            ftype = "single"
        hh.ftype = ftype
        self.households.append(hh)
        self.by_surname[key(hh.fam)].append(hh)
        if n_children:
            self._children(hh, n_children)
        return hh

    def other_surname(self, g: str, *not_like: str) -> str:
        pool = self.pools[g]["S"] if g in GROUPS else self.pools["british"]["S"]
        for _ in range(20):
            s = pool.pick(self.rng)
            if all(key(s) != key(x) for x in not_like):
                return s
        return self.pools["british"]["S"].pick(self.rng)

    def _children(self, hh: Household, n: int):
        rng = self.rng
        g = hh.group
        # births: each birth is a twin birth now and then
        events = []
        left = n
        while left > 0:
            tw = left >= 2 and rng.random() < 0.03
            events.append(2 if tw else 1)
            left -= 2 if tw else 1
        dobs = self._dobs(len(events))
        events = events[: len(dobs)]
        births = []   # (dob, twin flag)
        for d, k in zip(dobs, events, strict=True):
            births += [(d, k == 2)] * k
        # surnames by family type
        fam = hh.fam
        double = ""
        if g == "british" and rng.random() < 0.035:
            other = self.other_surname("british", fam)
            double = f"{fam}-{other}" if rng.random() < 0.75 else f"{fam} {other}"
        mother = fam
        if hh.ftype in ("diff", "single", "blended"):
            mother = self.other_surname(g if rng.random() < 0.8 else "british", fam)
        if g == "polish":
            mother = polish_form(mother if hh.ftype != "same" else fam, "F")
        if g == "lithuanian":
            mother = lithuanian_mother(mother if hh.ftype != "same" else fam)
        hh.mother = mother
        step = ""
        if hh.ftype == "blended":
            western = g in ("british", "caribbean", "irish", "traveller")
            step = self.other_surname("british" if rng.random() < (0.7 if western else 0.2) else g,
                                      fam, mother)
            hh.step = step
        n_older = 0
        if hh.ftype == "blended":
            # the older children are from an earlier relationship; twins stay on one side
            cuts = [i for i in range(1, len(births)) if births[i][0] != births[i - 1][0]]
            if cuts:
                n_older = rng.choice(cuts)
            else:
                hh.ftype = "single"
        kid_style = rng.random()
        avoid: set[str] = set()
        prev_child = None
        for i, (dob, is_twin) in enumerate(births):
            sex = "M" if rng.random() < 0.512 else "F"
            pair = None
            if is_twin and prev_child is not None and prev_child.dob == dob:
                if rng.random() < 0.3:
                    pair = next((p for p in TWIN_PAIRS if key(prev_child.forename) == key(p[0])), None)
                if pair is not None:
                    sex = TWIN_SEX.get(pair[1], "M")
                elif rng.random() < 0.62:
                    sex = prev_child.sex
                else:
                    sex = "F" if prev_child.sex == "M" else "M"
            if pair is not None:
                fore, middle, pref = pair[1], self._middle(g, sex, pair[1]), ""
            else:
                fore, middle, pref = self.forename(g, sex, avoid)
                first_twin = prev_child is None or prev_child.dob != dob
                if is_twin and first_twin and rng.random() < 0.25:
                    # the first twin gets a name that has a twin-pair partner, now and then
                    cands = [p for p in TWIN_PAIRS if TWIN_SEX.get(p[0], "M") == sex]
                    alt = rng.choice(cands)[0]
                    if name_family(alt) not in avoid:
                        fore, pref = alt, ""
            avoid.add(name_family(fore))
            if g == "somali" and hh.father_given and not middle and rng.random() < 0.6:
                middle = [hh.father_given]       # Somali: the father's name comes second
            alts: dict[str, str] = {}
            former = ""
            if hh.ftype == "same":
                base = double or fam
                sur, alts = self.surname_for(hh, sex, base)
            elif hh.ftype == "diff":
                if kid_style < 0.65:
                    sur, alts = self.surname_for(hh, sex, fam)
                    alts["mother_surname"] = mother
                elif kid_style < 0.83 and g == "british":
                    sur = f"{mother}-{fam}" if rng.random() < 0.5 else f"{fam}-{mother}"
                else:
                    sur = mother
            elif hh.ftype == "single":
                if kid_style < 0.6:
                    sur, alts = self.surname_for(hh, sex, fam)
                    if key(mother) != key(sur):
                        alts["mother_surname"] = mother
                else:
                    sur = mother
            else:   # blended
                if i < n_older:
                    r = rng.random()
                    if r < 0.55:
                        sur, alts = self.surname_for(hh, sex, fam)
                        alts["stepparent_surname"] = step
                        if key(mother) != key(sur):
                            alts["mother_surname"] = mother
                    elif r < 0.85:
                        sur, former = step, fam
                        alts["former_surname"] = fam
                    else:
                        sur = mother
                        alts["stepparent_surname"] = step
                else:
                    sur = step
                    if key(mother) != key(step) and rng.random() < 0.5:
                        alts["mother_surname"] = mother
            ch = Child(hh, fore, middle, sur, sex, dob)
            ch.preferred = pref
            ch.former = former
            ch.alts = alts
            if is_twin and prev_child is not None and prev_child.dob == dob:
                ch.twin = prev_child
                prev_child.twin = ch
            hh.children.append(ch)
            prev_child = ch

    def new_child(self, hh: Household, sex: str, dob: dt.date, avoid_families: set[str],
                  surname: str | None = None, forename: str | None = None) -> Child:
        """A child added to an existing household later (not on the roll)."""
        if forename is None:
            fore, middle, pref = self.forename(hh.group, sex, avoid_families)
        else:
            fore, middle, pref = forename, self._middle(hh.group, sex, forename), ""
        if surname is None:
            surname, alts = self.surname_for(hh, sex, hh.fam)
        else:
            alts = {}
        ch = Child(hh, fore, middle, surname, sex, dob)
        ch.preferred = pref
        ch.alts = alts
        return ch

    def random_dob(self) -> dt.date:
        return self.lo + dt.timedelta(days=self.rng.randrange(self.span + 1))

    def nc_year(self, dob: dt.date) -> int:
        birth_ay = dob.year if dob.month >= 9 else dob.year - 1
        return self.ay - birth_ay - 5


# ----------------------------------------------------------------------------------------------
# Schools and the roll
# ----------------------------------------------------------------------------------------------


class School:
    __slots__ = ("abbrev", "accents", "curly", "district", "estab", "locality", "name", "pc_messy",
                 "pc_text", "phase", "style", "town", "upn_missing")


SCHOOL_STYLES = [("normal", 55), ("upper", 16), ("surname_upper", 13), ("forename_full", 9),
                 ("swapped", 2), ("lower_address", 5)]


def make_school(rng, phase, district, estab, name, style=None) -> School:
    sc = School()
    sc.phase, sc.district, sc.estab, sc.name = phase, district, estab, name
    sc.style = style or Pool([s for s, _ in SCHOOL_STYLES], [w for _, w in SCHOOL_STYLES]).pick(rng)
    if sc.style == "swapped" and phase != "primary":
        sc.style = "normal"
    sc.accents = rng.random() < 0.5      # keeps Ł, ș, é as typed
    sc.curly = rng.random() < 0.1         # O’Brien with a typographer's apostrophe
    sc.abbrev = rng.choice([0.0, 0.05, 0.3, 0.8])
    sc.town = rng.choice([0.0, 0.5, 1.0])
    sc.locality = rng.choice([0.0, 0.5, 1.0])
    sc.pc_messy = rng.choice([0.0, 0.0, 0.0, 0.05, 0.3])
    sc.pc_text = rng.random() < 0.06     # postcode repeated at the end of the address
    sc.upn_missing = 0.012
    return sc


class Roll:
    def __init__(self, world: World, n_pupils: int, small: bool):
        self.world = world
        rng = world.rng
        self.small = small
        self.children: list[Child] = []
        sizes = Pool([1, 2, 3, 4, 5, 6], [52, 31, 11, 4, 1.4, 0.6])
        while len(self.children) < n_pupils:
            hhs = world.households
            if hhs and rng.random() < 0.07:
                # cousins: same surname in the same street or postcode district
                base = rng.choice(hhs)
                street = None
                if rng.random() < 0.45 and base.addr.kind != "special":
                    street = world.places.streets[base.addr.street_id]
                hh = world.new_household(sizes.pick(rng), district=base.district, street=street,
                                         group=base.group, fam=base.fam)
            else:
                hh = world.new_household(sizes.pick(rng))
            self.children.extend(hh.children)
        while len(self.children) > n_pupils:      # trim the last household
            ch = self.children.pop()
            ch.hh.children.remove(ch)
            if ch.twin is not None:
                ch.twin.twin = None
        self.make_schools()
        self.allocate_upns()
        self.records: list[dict] = []
        order = list(self.children)
        rng.shuffle(order)
        for i, ch in enumerate(order, start=1):
            ch.cid = i
            rec = self.record(ch, f"P{i:07d}")
            ch.roll = rec
            self.records.append(rec)
        self.upns = {r["upn"] for r in self.records if r["upn"]}

    # -- schools ---------------------------------------------------------------------------------

    def make_schools(self):
        world, rng = self.world, self.world.rng
        used_estabs: set[int] = set()

        def estab(lo, hi):
            while True:
                e = rng.randint(lo, hi)
                if e not in used_estabs:
                    used_estabs.add(e)
                    return e

        self.schools: list[School] = []
        if self.small:
            pru = make_school(rng, "pru", "HN1", estab(1100, 1199), "Hanbury Pupil Referral Unit",
                              "normal")
            ehe = make_school(rng, "ehe", "HN1", 0, "Elective home education list", "upper")
            ehe.upn_missing = 0.35
            self.schools = [pru, ehe]
            for ch in self.children:
                ch_school = pru if (world.nc_year(ch.dob) >= 5 and rng.random() < 0.45) else ehe
                ch.roll = ch_school    # temporarily: the school; replaced by the record later
            self.home_primaries = [estab(2000, 2999) for _ in range(12)]
            return
        prim = Counter()
        sec = 0
        for ch in self.children:
            if world.nc_year(ch.dob) <= 6:
                prim[ch.hh.district] += 1
            else:
                sec += 1
        by_district: dict[str, list[School]] = defaultdict(list)
        n = 0
        for d, _town, _loc, _w, _r in DISTRICTS:
            for _ in range(max(1, round(prim[d] / 260))):
                n += 1
                e = estab(2000, 2999) if rng.random() < 0.72 else estab(3000, 3499)
                sc = make_school(rng, "primary", d, e, f"Primary {n}")
                by_district[d].append(sc)
                self.schools.append(sc)
        secs = []
        dpool = Pool([d[0] for d in DISTRICTS], [d[3] for d in DISTRICTS])
        for i in range(max(1, round(sec / 950))):
            e = estab(4000, 4699) if rng.random() < 0.6 else estab(6900, 6999)
            sc = make_school(rng, "secondary", dpool.pick(rng), e, f"Secondary {i + 1}")
            secs.append(sc)
            self.schools.append(sc)
        primaries = [sc for sc in self.schools if sc.phase == "primary"]
        if len(primaries) >= 8 and not any(sc.style == "swapped" for sc in primaries):
            rng.choice(primaries).style = "swapped"   # one school's export has the columns crossed
        specials = []
        for i in range(max(0, round(len(self.children) / 9000))):
            sc = make_school(rng, "special", dpool.pick(rng), estab(7000, 7099), f"Special {i + 1}")
            specials.append(sc)
            self.schools.append(sc)
        for ch in self.children:
            if specials and rng.random() < 0.012:
                ch.roll = rng.choice(specials)
            elif world.nc_year(ch.dob) <= 6:
                local = by_district[ch.hh.district]
                ch.roll = rng.choice(local) if rng.random() < 0.85 else rng.choice(self.schools[: n])
            else:
                near = [s for s in secs if s.district == ch.hh.district]
                ch.roll = rng.choice(near) if near and rng.random() < 0.6 else rng.choice(secs)
        self.home_primaries = [s.estab for s in self.schools if s.phase == "primary"]

    # -- UPNs ------------------------------------------------------------------------------------

    def allocate_upns(self):
        world, rng = self.world, self.world.rng
        self.serials: dict[tuple[int, int, int], int] = {}
        self.all_upns: set[str] = set()
        migrant = {"polish", "romanian", "lithuanian", "roma", "somali", "afghan", "arab_kurdish",
                   "nigerian", "ghanaian", "chinese"}
        arrived: dict[int, int] = {}
        for ch in self.children:
            hh = ch.hh
            if hh.hid not in arrived:
                arrived[hh.hid] = (rng.randint(world.ay - 8, world.ay)
                                   if hh.group in migrant and rng.random() < 0.4 else 0)
            if not hh.origin_estab:
                hh.origin_estab = (rng.choice(self.home_primaries) if hh.origin_la == HOME_LA
                                   else rng.randint(2000, 3999))
            ch.upn = self.new_upn(ch.dob, hh.origin_la, hh.origin_estab, arrived[hh.hid])

    def new_upn(self, dob: dt.date, la: int, estab: int, arrival_year: int = 0) -> str:
        rng, world = self.world.rng, self.world
        birth_ay = dob.year if dob.month >= 9 else dob.year - 1
        year = max(birth_ay + 5, arrival_year)
        year = min(year, world.ay)
        if arrival_year:      # a new arrival is given a UPN by the LA's school that admits them
            la, estab = HOME_LA, rng.choice(self.home_primaries)
        if rng.random() < 0.2 and la == HOME_LA:
            estab = rng.choice(self.home_primaries)   # siblings at different first schools
        for _ in range(50):
            k = (la, estab, year % 100)
            nxt = self.serials.get(k, rng.randint(1, 250)) + rng.randint(1, 3)
            if nxt > 999:
                estab = rng.randint(2000, 3999)
                continue
            self.serials[k] = nxt
            upn = make_upn(la, estab, year, nxt)
            if upn not in self.all_upns:
                self.all_upns.add(upn)
                return upn
        raise RuntimeError("could not allocate a UPN")

    # -- the school's record of a child --------------------------------------------------------

    def record(self, ch: Child, rid: str) -> dict:
        rng, world = self.world.rng, self.world
        school: School = ch.roll
        hh = ch.hh
        errs: list[str] = []
        stale = hh.prev_addr is not None and rng.random() < 0.3
        addr = hh.prev_addr if stale else hh.addr
        fore, middle, sur = ch.forename, list(ch.middle), ch.surname
        pref = ch.preferred if (ch.preferred and rng.random() < 0.7) else ""
        if ch.preferred and not pref and rng.random() < 0.08:
            fore = ch.preferred                       # the school typed the known-as name
            errs.append("roll_has_known_as_name")
        elif rng.random() < 0.008:
            fore = misspell(fore, rng)
            errs.append("roll_forename_misspelt")
        if rng.random() < 0.003:
            sur = misspell(sur, rng)
            errs.append("roll_surname_misspelt")
        dob = ch.dob
        if rng.random() < 0.004:
            dob = dob_digit_typo(dob, rng, world.as_of)
            errs.append("roll_dob_wrong")
        former = ch.former if (ch.former and rng.random() < 0.5) else ""
        mid = " ".join(middle)
        if not school.accents:
            fore, mid, sur, pref, former = (strip_accents(x) for x in (fore, mid, sur, pref, former))
        if school.curly:
            fore, sur, former = (x.replace("'", "\u2019") for x in (fore, sur, former))
        style = school.style
        if style == "upper":
            fore, mid, sur, pref, former = (x.upper() for x in (fore, mid, sur, pref, former))
        elif style == "surname_upper":
            sur, former = sur.upper(), former.upper()
        elif style == "forename_full" and mid:
            fore, mid = f"{fore} {mid}", ""
        elif style == "swapped":
            fore, sur = sur, fore
            errs.append("roll_name_columns_swapped")
        upn = ch.upn if rng.random() >= school.upn_missing else ""
        case = "upper" if style == "upper" else ("lower" if style == "lower_address" and rng.random() < 0.5 else "title")
        address = render_address(addr, rng, abbrev=school.abbrev, town=school.town,
                                 locality=school.locality, case=case,
                                 postcode_in_text=school.pc_text)
        postcode = render_postcode(addr.postcode, rng, school.pc_messy)
        return {"id": rid, "upn": upn, "forename": fore, "middle_names": mid, "surname": sur,
                "former_surname": former, "dob": dob.isoformat(), "sex": ch.sex,
                "postcode": postcode, "address": address, "preferred_forename": pref,
                "_stale": stale, "_errs": errs, "_school": school, "_child": ch}


def dob_digit_typo(d: dt.date, rng: random.Random, as_of: dt.date) -> dt.date:
    s = d.isoformat()
    for _ in range(60):
        pos = rng.choice([2, 3, 3, 5, 6, 6, 8, 9, 9])
        old = int(s[pos])
        new = (old + rng.choice([-1, 1])) % 10 if rng.random() < 0.6 else rng.randrange(10)
        if new == old:
            continue
        t = s[:pos] + str(new) + s[pos + 1:]
        try:
            nd = dt.date.fromisoformat(t)
        except ValueError:
            continue
        if nd != d and nd <= as_of and nd.year >= as_of.year - 20:
            return nd
    return d + dt.timedelta(days=1) if d + dt.timedelta(days=1) <= as_of else d - dt.timedelta(days=1)


def upn_typo(upn: str, rng: random.Random, avoid: set[str]) -> str:
    """A mistyped UPN that is still well formed (its check letter recomputed) and nobody's."""
    for _ in range(100):
        body = list(upn[1:])
        if rng.random() < 0.5:
            i = rng.randrange(3, 11)          # transpose two neighbouring digits
            if body[i] == body[i + 1]:
                continue
            body[i], body[i + 1] = body[i + 1], body[i]
        else:
            i = rng.randrange(3, 12)
            body[i] = str((int(body[i]) + rng.randint(1, 9)) % 10)
        b = "".join(body)
        new = upn_check_letter(b) + b
        if new != upn and new not in avoid:
            return new
    raise RuntimeError("no UPN typo found")


# ----------------------------------------------------------------------------------------------
# Referrals
# ----------------------------------------------------------------------------------------------

# Errors on referrals about rolled children: (tag, group, weight).  Each referral gets one
# primary error; many get a second (and some a third) from another group.
ON_ROLL_ERRORS = [
    ("forename_typo", "name", 3.0), ("surname_typo", "name", 3.0), ("nickname", "name", 3.0),
    ("transliteration", "name", 2.5), ("preferred_name", "name", 2.0),
    ("known_by_middle_name", "name", 1.5), ("former_surname", "name", 1.5),
    ("mother_surname", "name", 1.5), ("stepparent_surname", "name", 1.5),
    ("double_barrel_part", "name", 2.0), ("surname_convention", "name", 1.5),
    ("name_swap", "name", 2.0), ("whole_name_one_field", "name", 1.0),
    ("dob_day_month_swap", "dob", 2.0), ("dob_digit_typo", "dob", 2.0),
    ("dob_year_off", "dob", 2.0), ("dob_placeholder", "dob", 2.0), ("dob_from_age", "dob", 2.0),
    ("no_dob", "dob", 2.0),
    ("old_address", "addr", 2.5), ("no_address", "addr", 2.0), ("postcode_only", "addr", 2.0),
    ("postcode_typo", "addr", 1.0), ("no_postcode", "addr", 1.0),
    ("house_number_typo", "addr", 1.0),
    ("missing_sex", "other", 1.5), ("upn_given", "other", 2.0), ("upn_typo", "other", 1.5),
    ("upn_of_sibling", "other", 0.6), ("upn_roll_blank", "other", 0.6),
    ("thin_name_only", "thin", 2.5), ("thin_surname_address", "thin", 2.0),
    ("exact", "exact", 2.0),
]
ERROR_GROUP = {t: g for t, g, _ in ON_ROLL_ERRORS}
SECONDARY_WEIGHT = {"missing_sex": 4, "no_dob": 2, "no_postcode": 2, "old_address": 1.5,
                    "no_address": 1.5, "postcode_only": 1.5, "dob_from_age": 1, "dob_digit_typo": 1,
                    "dob_placeholder": 1, "dob_day_month_swap": 0.7, "dob_year_off": 0.7,
                    "forename_typo": 1.5, "surname_typo": 1.5, "nickname": 1, "upn_given": 1,
                    "transliteration": 0.7, "postcode_typo": 0.5, "house_number_typo": 0.7}

NO_ROLL_SPLIT = [("sibling_no_roll", 0.28), ("twin_no_roll", 0.08), ("namesake_no_roll", 0.20),
                 ("cousin_no_roll", 0.16), ("unrelated_no_roll", 0.28)]

SOURCE_W = {"police": 20, "health": 22, "neighbour": 10, "public": 8, "housing": 15, "other_la": 25}
SOURCE_FOR = {
    "upn_given": {"other_la": 70, "police": 15, "health": 15},
    "upn_typo": {"other_la": 70, "police": 15, "health": 15},
    "upn_of_sibling": {"other_la": 80, "health": 20},
    "thin_surname_address": {"housing": 50, "neighbour": 30, "public": 20},
    "thin_name_only": {"neighbour": 35, "public": 35, "police": 30},
    "dob_from_age": {"neighbour": 30, "public": 30, "police": 20, "housing": 20},
    "no_dob": {"neighbour": 30, "public": 25, "housing": 30, "police": 15},
    "old_address": {"other_la": 45, "health": 40, "police": 15},
    "former_surname": {"health": 40, "police": 30, "other_la": 30},
    "mother_surname": {"health": 50, "police": 30, "housing": 20},
    "stepparent_surname": {"neighbour": 30, "police": 30, "housing": 20, "public": 20},
    "nickname": {"neighbour": 30, "public": 25, "police": 25, "housing": 20},
    "preferred_name": {"neighbour": 30, "public": 20, "police": 30, "housing": 20},
    "known_by_middle_name": {"neighbour": 30, "public": 20, "police": 30, "housing": 20},
}


class View:
    """What a referral says about a child, before it is written out."""
    __slots__ = ("addr", "addr_mode", "dob", "forename", "former", "middle", "pc", "sex",
                 "surname", "true", "upn")

    def __init__(self, ch: Child | None = None, addr: Addr | None = None):
        self.forename = ch.forename if ch else ""
        self.middle = list(ch.middle) if ch else []
        self.surname = ch.surname if ch else ""
        self.former = ""
        self.dob = ch.dob if ch else None
        self.sex = ch.sex if ch else ""
        # The child as a school's admission register holds them (legal names, date of birth, sex),
        # for checks that turn a referral into a school's record (bench/movements_from_messy.py).
        home = ch.hh.addr if ch else None
        self.true = (ch.forename, " ".join(ch.middle), ch.surname, ch.dob, ch.sex,
                     render_address(home, random.Random(0), abbrev=0, town=1, locality=0) if home else "",
                     home.postcode if home else "") if ch else None
        self.addr = addr if addr is not None else (ch.hh.addr if ch else None)
        self.addr_mode = "full" if self.addr is not None else "none"
        self.pc = ""        # a postcode other than the address's (a typo)
        self.upn = ""


class Referrals:
    def __init__(self, world: World, roll: Roll, n_ref: int, share: float):
        self.world, self.roll = world, roll
        self.rng = world.rng
        self.as_of = world.as_of
        self.rows: list[dict] = []
        self.n_no = min(n_ref, math.ceil(share * n_ref - 1e-9))
        self.n_on = n_ref - self.n_no
        # indexes over the roll
        self.roll_keys = set()
        self.pair_count = Counter()
        self.surname_count = Counter()
        for ch in roll.children:
            self.roll_keys.add((key(ch.forename), key(ch.surname), ch.dob))
            self.pair_count[(key(ch.forename), key(ch.surname))] += 1
            self.surname_count[key(ch.surname)] += 1
        self.extra_children: dict[int, list[Child]] = defaultdict(list)
        self.source_pool = Pool(list(SOURCE_W), list(SOURCE_W.values()))
        self.source_pools = {t: Pool(list(w), list(w.values())) for t, w in SOURCE_FOR.items()}

    # -- helpers -----------------------------------------------------------------------------

    def source_for(self, tag: str) -> str:
        p = self.source_pools.get(tag)
        return (p or self.source_pool).pick(self.rng)

    def rolled_relatives(self, ch: Child) -> list[Child]:
        return [c for c in ch.hh.children if c is not ch and c.roll is not None]

    def approx_dob(self, true_dob: dt.date) -> dt.date:
        """A date of birth made from an age ('about 9'), as case systems force one."""
        rng, as_of = self.rng, self.as_of
        age = age_on(true_dob, as_of)
        if rng.random() < 0.3:
            age += rng.choice([-1, 1])
        age = max(4, min(17, age))
        r = rng.random()
        if r < 0.4:
            d = dt.date(as_of.year - age, 1, 1)
        elif r < 0.75:
            d = add_years(as_of, -age)
        else:
            d = dt.date(as_of.year - age - 1, 9, 1)
        return min(d, as_of)

    def dob_apart(self, hh_children: list[Child], tries: int = 80) -> dt.date | None:
        w = self.world
        for _ in range(tries):
            d = w.random_dob()
            if all(abs((d - c.dob).days) >= 300 for c in hh_children):
                return d
        return None

    # -- referrals about rolled children -------------------------------------------------------

    def can(self, tag: str, ch: Child) -> bool:
        rec = ch.roll
        hh = ch.hh
        if tag == "forename_typo":
            return len(key(ch.forename)) >= 3
        if tag == "surname_typo":
            return len(key(ch.surname)) >= 3
        if tag == "nickname":
            return bool(NICK_OF.get(key(ch.forename)) or FORMAL_OF.get(key(ch.forename)))
        if tag == "transliteration":
            return any(key(v) != key(ch.forename) for v in VARIANT_OF.get(key(ch.forename), [])) or \
                any(key(v) != key(ch.surname) for v in VARIANT_OF.get(key(ch.surname), []))
        if tag == "preferred_name":
            return bool(ch.preferred) and key(ch.preferred) != key(ch.forename)
        if tag == "known_by_middle_name":
            return bool(ch.middle) and key(ch.middle[0]) not in ("singh", "kaur")
        if tag in ("former_surname", "mother_surname", "stepparent_surname", "surname_convention"):
            return tag in ch.alts and key(ch.alts[tag]) != key(ch.surname)
        if tag == "double_barrel_part":
            return len(re.split(r"[- ]", ch.surname)) == 2 and hh.group == "british"
        if tag == "dob_day_month_swap":
            return ch.dob.day <= 12 and ch.dob.day != ch.dob.month
        if tag == "old_address":
            return hh.prev_addr is not None and not rec["_stale"]
        if tag in ("upn_given", "upn_typo"):
            return bool(rec["upn"])
        if tag == "upn_of_sibling":
            return any(c.roll["upn"] for c in self.rolled_relatives(ch))
        if tag in ("postcode_typo", "no_postcode"):
            return bool(hh.addr.postcode)
        if tag == "house_number_typo":
            return hh.addr.number.isdigit() and hh.addr.kind in ("house", "flat")
        if tag == "upn_roll_blank":
            return not rec["upn"] and bool(ch.upn)
        return True

    def apply(self, tag: str, v: View, ch: Child, source: str) -> bool:
        rng, as_of = self.rng, self.as_of
        hh = ch.hh
        if tag == "forename_typo":
            v.forename = misspell(v.forename, rng, heard=source in ("neighbour", "public", "police"))
        elif tag == "surname_typo":
            v.surname = misspell(v.surname, rng, heard=source in ("neighbour", "public"))
        elif tag == "nickname":
            forms = NICK_OF.get(key(ch.forename)) or [name_case(f) for f in FORMAL_OF[key(ch.forename)]]
            forms = [f for f in forms if key(f) != key(ch.roll["preferred_forename"])] or forms
            v.forename = rng.choice(forms)
            v.middle = []
        elif tag == "transliteration":
            fv = [x for x in VARIANT_OF.get(key(ch.forename), []) if key(x) != key(ch.forename)]
            sv = [x for x in VARIANT_OF.get(key(ch.surname), []) if key(x) != key(ch.surname)]
            if fv and (not sv or rng.random() < 0.6):
                v.forename = rng.choice(fv)
            else:
                v.surname = rng.choice(sv)
        elif tag == "preferred_name":
            v.forename = ch.preferred
            if ch.middle and key(ch.middle[0]) == key(ch.preferred):
                v.middle = []
        elif tag == "known_by_middle_name":
            v.forename = ch.middle[0]
            v.middle = []
        elif tag in ("former_surname", "mother_surname", "surname_convention"):
            v.surname = ch.alts[tag]
        elif tag == "stepparent_surname":
            v.surname = ch.alts[tag]
            if rng.random() < 0.3:
                v.former = ch.surname
        elif tag == "double_barrel_part":
            a, b = re.split(r"[- ]", ch.surname)
            r = rng.random()
            v.surname = (a if r < 0.45 else b) if r < 0.85 else f"{b}-{a}"
        elif tag == "name_swap":
            v.forename, v.surname = v.surname, v.forename
        elif tag == "whole_name_one_field":
            if rng.random() < 0.5:
                v.forename, v.surname = f"{v.forename} {v.surname}", ""
            else:
                v.forename, v.surname = "", f"{v.surname.upper()}, {v.forename}"
            v.middle = []
        elif tag == "dob_day_month_swap":
            v.dob = dt.date(v.dob.year, v.dob.day, v.dob.month)
        elif tag == "dob_digit_typo":
            v.dob = dob_digit_typo(v.dob, rng, as_of)
        elif tag == "dob_year_off":
            nd = add_years(v.dob, rng.choice([-1, 1]))
            v.dob = nd if nd <= as_of - dt.timedelta(days=365) else add_years(v.dob, -1)
        elif tag == "dob_placeholder":
            opts = [dt.date(v.dob.year, 1, 1), dt.date(v.dob.year, 9, 1)]
            opts = [d for d in opts if d != v.dob] or [dt.date(v.dob.year, 7, 1)]
            v.dob = rng.choice(opts)
        elif tag == "dob_from_age":
            v.dob = self.approx_dob(ch.dob)
        elif tag == "no_dob":
            v.dob = None
        elif tag == "old_address":
            v.addr = hh.prev_addr
            v.addr_mode = "full"
        elif tag == "no_address":
            v.addr_mode = "none"
        elif tag == "postcode_only":
            v.addr_mode = "postcode"
        elif tag == "no_postcode":
            v.addr_mode = "text"
        elif tag == "postcode_typo":
            pc = (v.addr or hh.addr).postcode
            for _ in range(20):
                i = rng.choice([len(pc) - 1, len(pc) - 2, len(pc) - 3])
                c = pc[i]
                n = str((int(c) + rng.choice([-1, 1])) % 10) if c.isdigit() else rng.choice(INWARD_LETTERS)
                new = pc[:i] + n + pc[i + 1:]
                if new != pc:
                    v.pc = new
                    break
            if v.addr_mode == "none":
                v.addr_mode = "postcode"
        elif tag == "house_number_typo":
            a = v.addr
            n = int(a.number)
            opts = [n + 1, n + 2, n - 1, n - 2, n + 10]
            if len(a.number) > 1 and a.number[::-1] != a.number and a.number[-1] != "0":
                opts += [int(a.number[::-1])] * 3
            new = rng.choice([x for x in opts if x > 0])
            v.addr = Addr(a.sub, a.building, str(new), a.street, a.locality, a.town, a.postcode,
                          a.district, a.street_id, a.kind)
            v.addr_mode = "full"
        elif tag == "upn_roll_blank":
            v.upn = ch.upn
        elif tag == "missing_sex":
            v.sex = ""
        elif tag == "upn_given":
            v.upn = ch.roll["upn"]
        elif tag == "upn_typo":
            v.upn = upn_typo(ch.roll["upn"], rng, self.roll.all_upns)
        elif tag == "upn_of_sibling":
            v.upn = rng.choice([c.roll["upn"] for c in self.rolled_relatives(ch) if c.roll["upn"]])
        elif tag == "thin_name_only":
            v.middle, v.dob, v.sex, v.addr_mode, v.upn, v.former = [], None, "", "none", "", ""
        elif tag == "thin_surname_address":
            v.forename, v.middle, v.dob, v.sex, v.upn, v.former = "", [], None, "", "", ""
            if v.addr_mode == "none":
                v.addr_mode = "full"
        return True

    def on_roll(self):
        rng = self.rng
        rolled = self.roll.children
        # how many of each primary error: largest remainder over the weights
        plan = largest_remainder(self.n_on, [(t, w) for t, _, w in ON_ROLL_ERRORS])
        tags = [t for t, n in plan for _ in range(n)]
        rng.shuffle(tags)
        # candidate indexes for the errors few children can carry
        index: dict[str, list[Child]] = defaultdict(list)
        selective = ["nickname", "transliteration", "preferred_name", "known_by_middle_name",
                     "former_surname", "mother_surname", "stepparent_surname",
                     "surname_convention", "double_barrel_part", "old_address", "upn_of_sibling",
                     "dob_day_month_swap", "upn_roll_blank"]
        for ch in rolled:
            for t in selective:
                if self.can(t, ch):
                    index[t].append(ch)
        twins = [c for c in rolled if c.twin is not None and c.twin.roll is not None]
        used: set[int] = set()
        done: list[Child] = []
        for tag in tags:
            if tag in selective and not index[tag]:
                tag = "forename_typo" if rng.random() < 0.5 else "no_dob"   # nobody can carry it
            pool = index.get(tag, rolled)
            ch = None
            repeat = False
            if done and rng.random() < 0.02:
                cand = rng.choice(done)
                if self.can(tag, cand):
                    ch, repeat = cand, True
            if ch is None and twins and rng.random() < 0.07:
                for _ in range(40):
                    c = rng.choice(twins)
                    if c.cid not in used and self.can(tag, c):
                        ch = c
                        break
            if ch is None:
                for _ in range(400):
                    c = rng.choice(pool)
                    if c.cid not in used and self.can(tag, c):
                        ch = c
                        break
                else:
                    ch = next(c for c in pool if self.can(tag, c))
            used.add(ch.cid)
            done.append(ch)
            self.make_on_roll(ch, tag, repeat)

    def make_on_roll(self, ch: Child, primary: str, repeat: bool):
        rng = self.rng
        source = self.source_for(primary)
        v = View(ch)
        applied = [primary]
        group = ERROR_GROUP[primary]
        if group not in ("thin", "exact"):
            n_more = 1 if rng.random() < 0.45 else 0
            if n_more and rng.random() < 0.2:
                n_more = 2
            taken = {group}
            for _ in range(n_more):
                opts = [(t, w) for t, w in SECONDARY_WEIGHT.items()
                        if ERROR_GROUP[t] not in taken and self.can(t, ch)]
                if not opts:
                    break
                t = Pool([o[0] for o in opts], [o[1] for o in opts]).pick(rng)
                applied.append(t)
                taken.add(ERROR_GROUP[t])
        order = {"name": 0, "dob": 1, "addr": 2, "other": 3, "thin": 4, "exact": 5}
        for t in sorted(applied, key=lambda t: order[ERROR_GROUP[t]]):
            self.apply(t, v, ch, source)
        rec = ch.roll
        tags = list(applied)
        uses_current = v.addr_mode != "none" and v.addr is not ch.hh.prev_addr
        if rec["_stale"] and uses_current:
            tags.append("roll_address_stale")
        tags += rec["_errs"]
        rel = self.rolled_relatives(ch)
        if ch.twin is not None and ch.twin.roll is not None:
            tags.append("rolled_twin")
        if repeat:
            tags.append("repeat_referral")
        kind = "on_roll:" + "+".join(tags)
        note = f"{len(rel)} rolled sibling(s) at the same address" if rel else ""
        self.emit(v, source, kind, rec["id"], [c.roll["id"] for c in rel], note)

    # -- referrals about children on no roll ---------------------------------------------------

    def pick_anchor(self, pred, tries=500) -> Child:
        rng = self.rng
        rolled = self.roll.children
        for _ in range(tries):
            c = rng.choice(rolled)
            if pred(c):
                return c
        return rng.choice(rolled)

    def fresh_ok(self, ch: Child) -> bool:
        """The new child must not be the same name and date of birth as a rolled child."""
        return (key(ch.forename), key(ch.surname), ch.dob) not in self.roll_keys

    def no_roll(self):
        plan = largest_remainder(self.n_no, NO_ROLL_SPLIT)
        jobs = [k for k, n in plan for _ in range(n)]
        self.rng.shuffle(jobs)
        fn = {"sibling_no_roll": self.sibling, "twin_no_roll": self.twin,
              "namesake_no_roll": self.namesake, "cousin_no_roll": self.cousin,
              "unrelated_no_roll": self.unrelated}
        for k in jobs:
            fn[k]()

    def present(self, v: View, ch: Child, style: str):
        """How much a no-roll referral says: the same thinness on-roll referrals have."""
        rng = self.rng
        if style == "no_dob":
            v.dob = None
        elif style == "age_only":
            v.dob = self.approx_dob(ch.dob)
        elif style == "name_address_only":
            v.dob, v.sex, v.middle = None, "", []
        elif style == "thin_name_only":
            v.dob, v.sex, v.middle, v.addr_mode = None, "", [], "none"
        elif style == "postcode_only":
            v.addr_mode = "postcode"
        elif style == "no_address":
            v.addr_mode = "none"
        if style in ("full", "no_dob", "age_only", "postcode_only", "no_address") and rng.random() < 0.15:
            v.sex = ""

    def sibling(self):
        rng, w = self.rng, self.world
        anchor = self.pick_anchor(lambda c: c.hh.addr.kind != "special" or rng.random() < 0.3)
        hh = anchor.hh
        family = hh.children + self.extra_children[hh.hid]
        dob = self.dob_apart(family)
        if dob is None:
            return self.sibling()
        sex = "M" if rng.random() < 0.5 else "F"
        avoid = {name_family(c.forename) for c in family}
        detail = []
        muhammad = key(anchor.forename) in ("muhammad", "mohammed", "mohammad", "mohamed", "md",
                                            "muhammed", "mohamad")
        if anchor.sex == "M" and muhammad and rng.random() < 0.6:
            second_avoid = avoid | {name_family(m) for c in family for m in c.middle}
            ch = w.new_child(hh, "M", dob, second_avoid, surname=anchor.surname,
                             forename=anchor.forename)
            second = w.forename(hh.group, "M", second_avoid)[0]
            ch.middle = [second if key(second) not in ("muhammad", "mohammed") else "Ibrahim"]
            detail.append("same_first_name")
        elif hh.step and rng.random() < 0.35:
            other = [s for s in (hh.step, hh.fam, hh.mother) if key(s) != key(anchor.surname)]
            ch = w.new_child(hh, sex, dob, avoid, surname=rng.choice(other) if other else None)
            detail.append("step_surname")
        else:
            sur = anchor.surname
            if hh.group == "polish":
                sur = polish_form(hh.fam, sex) if key(polish_form(hh.fam, anchor.sex)) == key(anchor.surname) else sur
            ch = w.new_child(hh, sex, dob, avoid, surname=sur)
        if not self.fresh_ok(ch):
            return self.sibling()
        self.extra_children[hh.hid].append(ch)
        style = Pool(["full", "no_dob", "age_only", "name_address_only"], [30, 30, 22, 18]).pick(rng)
        if "same_first_name" in detail and style == "full" and rng.random() < 0.5:
            style = "no_dob"
        v = View(ch)
        if style == "full" and rng.random() < 0.12:
            # was at school somewhere else: a UPN nobody on this roll has
            v.upn = self.roll.new_upn(ch.dob, hh.origin_la, hh.origin_estab or 2001)
            detail.append("upn_from_earlier_school")
        self.present(v, ch, style)
        kind = "sibling_no_roll:" + "+".join([style, *detail])
        rel = [c.roll["id"] for c in hh.children if c.roll is not None]
        self.emit(v, self.source_for("no_dob" if style != "full" else ""), kind, "", rel,
                  f"brother or sister of {anchor.roll['id']}")

    def twin(self):
        rng, w = self.rng, self.world
        anchor = self.pick_anchor(lambda c: c.twin is None and c.hh.addr.kind != "special")
        hh = anchor.hh
        family = hh.children + self.extra_children[hh.hid]
        avoid = {name_family(c.forename) for c in family}
        r = rng.random()
        ch = None
        if r < 0.45:
            own = GROUP_NAMES[hh.group]
            alts = [b for a, b in TWIN_PAIRS if key(a) == key(anchor.forename)] + \
                   [a for a, b in TWIN_PAIRS if key(b) == key(anchor.forename)] + \
                   [x for x in VARIANT_OF.get(key(anchor.forename), [])
                    if key(x) != key(anchor.forename) and key(x) in own]
            if alts:
                name = rng.choice(alts)
                sex = TWIN_SEX.get(name, anchor.sex) if name in TWIN_SEX else anchor.sex
                ch = w.new_child(hh, sex, anchor.dob, avoid, surname=anchor.surname, forename=name)
                detail = "similar_name"
        if ch is None:
            if r < 0.6:
                sex, detail = anchor.sex, "same_sex"
            else:
                sex, detail = ("F" if anchor.sex == "M" else "M"), "other_sex"
            sur = anchor.surname
            if hh.group in ("polish", "lithuanian") and sex != anchor.sex:
                sur = (polish_form if hh.group == "polish" else lithuanian_form)(hh.fam, sex)
            ch = w.new_child(hh, sex, anchor.dob, avoid, surname=sur)
        if not self.fresh_ok(ch):
            return self.twin()
        self.extra_children[hh.hid].append(ch)
        v = View(ch)
        style = "full" if rng.random() < 0.85 else "no_dob"
        self.present(v, ch, style)
        kind = f"twin_no_roll:{detail}" + ("+no_dob" if style == "no_dob" else "")
        rel = [c.roll["id"] for c in hh.children if c.roll is not None]
        self.emit(v, self.source_for(""), kind, "", rel, f"unrolled twin of {anchor.roll['id']}")

    def namesake(self):
        rng, w = self.rng, self.world
        rare = rng.random() < 0.5
        if rare:
            anchor = self.pick_anchor(lambda c: self.pair_count[(key(c.forename), key(c.surname))] == 1
                                      and self.surname_count[key(c.surname)] <= 3, tries=3000)
        else:
            anchor = self.pick_anchor(lambda c: self.pair_count[(key(c.forename), key(c.surname))] >= 2
                                      or self.surname_count[key(c.surname)] >= 25, tries=3000)
        rare = self.pair_count[(key(anchor.forename), key(anchor.surname))] == 1 and \
            self.surname_count[key(anchor.surname)] <= 3
        same_bday = rng.random() < 0.25
        dob = None
        for _ in range(60):
            k = rng.choice([1, 1, 2, 2, 3, 4, -1, -1, -2, -2, -3, -4])
            if same_bday:
                d = add_years(anchor.dob, k)
            else:
                d = add_years(anchor.dob, k) + dt.timedelta(days=rng.randint(-150, 150))
            if w.lo <= d <= w.hi and abs((d - anchor.dob).days) >= 365:
                dob = d
                break
        if dob is None:
            return self.namesake()
        r = rng.random()
        where = "same_district" if r < 0.3 else "elsewhere"
        hh = w.new_household(0, district=anchor.hh.district if where == "same_district" else None,
                             group=anchor.hh.group, fam=anchor.hh.fam)
        if r > 0.88:
            hh.addr = w.places.away()
            where = "other_area"
        ch = w.new_child(hh, anchor.sex, dob, set(), surname=anchor.surname, forename=anchor.forename)
        if not self.fresh_ok(ch):
            return self.namesake()
        v = View(ch)
        style = Pool(["full", "no_dob", "age_only", "thin_name_only", "postcode_only"],
                     [55, 12, 10, 15, 8]).pick(rng)
        self.present(v, ch, style)
        detail = ["rare" if rare else "common", where]
        if same_bday:
            detail.append("same_birthday_other_year")
        if style != "full":
            detail.append(style)
        kind = "namesake_no_roll:" + "+".join(detail)
        self.emit(v, self.source_for(""), kind, "", [anchor.roll["id"]],
                  f"same name as {anchor.roll['id']}, born {abs((dob - anchor.dob).days) // 365} year(s) apart")

    def cousin(self):
        rng, w = self.rng, self.world
        anchor = self.pick_anchor(lambda c: c.hh.addr.kind in ("house", "flat", "named"))
        base = anchor.hh
        same_street = rng.random() < 0.5
        street = w.places.streets[base.addr.street_id] if same_street else None
        hh = w.new_household(0, district=base.district, street=street, group=base.group,
                             fam=base.fam)
        avoid = {name_family(c.forename) for c in base.children + self.extra_children[base.hid]}
        sex = "M" if rng.random() < 0.5 else "F"
        if rng.random() < 0.3:
            dob = anchor.dob + dt.timedelta(days=rng.randint(-330, 330))
            dob = min(max(dob, w.lo), w.hi)
        else:
            dob = w.random_dob()
        sur = anchor.surname
        if base.group == "polish":
            sur = polish_form(base.fam, sex)
        elif base.group == "lithuanian":
            sur = lithuanian_form(base.fam, sex)
        ch = w.new_child(hh, sex, dob, avoid, surname=sur)
        if not self.fresh_ok(ch):
            return self.cousin()
        v = View(ch)
        style = Pool(["full", "no_dob", "age_only", "name_address_only", "postcode_only"],
                     [45, 20, 15, 12, 8]).pick(rng)
        self.present(v, ch, style)
        kind = f"cousin_no_roll:{'same_street' if same_street else 'same_district'}" + \
               ("" if style == "full" else f"+{style}")
        rel = [c.roll["id"] for c in base.children if c.roll is not None]
        self.emit(v, self.source_for(""), kind, "", rel,
                  f"cousin of {anchor.roll['id']} ({'same street' if same_street else hh.addr.district})")

    def unrelated(self):
        rng, w = self.rng, self.world
        r = rng.random()
        detail = "local"
        rel: list[str] = []
        note = ""
        if r < 0.12:
            # another family in the same block of flats as a rolled family
            anchor = self.pick_anchor(lambda c: c.hh.addr.kind == "flat", tries=3000)
            a = anchor.hh.addr
            if a.kind == "flat":
                street = w.places.streets[a.street_id]
                new = None
                for _ in range(30):
                    cand = w.places.home(street=street)
                    if cand.kind == "flat" and cand.number == a.number and cand.building == a.building:
                        new = cand
                        break
                if new is None:
                    if a.sub.startswith("Flat ") and a.sub[5:].isdigit():
                        sub = f"Flat {int(a.sub[5:]) + rng.randint(1, 6)}"
                    else:
                        sub = f"Flat {rng.choice('BCD')}" if a.sub != "Flat B" else "Flat C"
                    new = Addr(sub, a.building, a.number, a.street, a.locality, a.town, a.postcode,
                               a.district, a.street_id, "flat")
                hh = w.new_household(0, address=new)
                detail = "same_building"
                rel = [c.roll["id"] for c in anchor.hh.children if c.roll is not None]
                note = f"different flat, same building as {anchor.roll['id']}"
            else:
                hh = w.new_household(0)
        else:
            hh = w.new_household(0)
        if r > 0.9:
            hh.addr = w.places.away()
            detail = "other_area"
        sex = "M" if rng.random() < 0.5 else "F"
        ch = w.new_child(hh, sex, w.random_dob(), set())
        if not self.fresh_ok(ch):
            return self.unrelated()
        v = View(ch)
        if 0.12 <= r < 0.24:
            la = rng.choice(OTHER_LAS)
            v.upn = self.roll.new_upn(ch.dob, la, rng.randint(2000, 3999))
            detail = "upn_from_other_la"
        style = Pool(["full", "no_dob", "age_only", "thin_name_only", "name_address_only",
                      "postcode_only", "no_address"], [50, 14, 10, 8, 8, 5, 5]).pick(rng)
        self.present(v, ch, style)
        kind = f"unrelated_no_roll:{detail}" + ("" if style == "full" else f"+{style}")
        self.emit(v, self.source_for("upn_given" if v.upn else ""), kind, "", rel, note)

    # -- writing a referral out ----------------------------------------------------------------

    def emit(self, v: View, source: str, kind: str, roll_id: str, related: list[str], note: str):
        rng = self.rng
        fore, sur, former = v.forename, v.surname, v.former
        middle = list(v.middle)
        # how much of the middle names a referrer writes
        p_mid = {"health": 0.6, "other_la": 0.5, "police": 0.4, "housing": 0.15}.get(source, 0.05)
        mid = ""
        if middle and rng.random() < p_mid:
            if rng.random() < 0.15 and fore:
                fore = f"{fore} {' '.join(middle)}"
            else:
                mid = " ".join(middle[: rng.randint(1, len(middle))])
        # cosmetics that do not change the name: accents, apostrophes, hyphens, case
        if rng.random() < 0.85:
            fore, mid, sur, former = (strip_accents(x) for x in (fore, mid, sur, former))
        if "'" in sur and rng.random() < 0.3:
            sur = sur.replace("'", rng.choice(["", " "]))
        if re.search(r"\w-\w", sur) and rng.random() < 0.2:
            sur = sur.replace("-", " ")
        case = "title"
        r = rng.random()
        if source == "police":
            case = "upper" if r < 0.35 else "surname_upper" if r < 0.65 else "title"
        elif source in ("neighbour", "public"):
            case = "lower" if r < 0.15 else "upper" if r < 0.2 else "title"
        elif source in ("housing", "other_la"):
            case = "upper" if r < 0.2 else "title"
        elif source == "health":
            case = "surname_upper" if r < 0.15 else "title"
        if case == "upper":
            fore, mid, sur, former = (x.upper() for x in (fore, mid, sur, former))
        elif case == "lower":
            fore, mid, sur, former = (x.lower() for x in (fore, mid, sur, former))
        elif case == "surname_upper":
            sur, former = sur.upper(), former.upper()
        address = postcode = ""
        if v.addr is not None and v.addr_mode != "none":
            pc = v.pc or v.addr.postcode
            messy = 0.3 if source in ("neighbour", "public") else 0.1
            if v.addr_mode in ("full", "text"):
                address = render_address(
                    v.addr, rng, abbrev=0.5 if source in ("neighbour", "public") else 0.25,
                    town=0.5, locality=0.3,
                    case="upper" if case == "upper" else ("lower" if case == "lower" else "title"),
                    postcode_in_text=False)
            if v.addr_mode in ("full", "postcode"):
                postcode = render_postcode(pc, rng, messy)
        self.rows.append({"id": "", "upn": v.upn, "forename": fore, "middle_names": mid,
                          "surname": sur, "former_surname": former,
                          "dob": v.dob.isoformat() if v.dob else "", "sex": v.sex,
                          "postcode": postcode, "address": address,
                          "_kind": kind, "_roll_id": roll_id, "_source": source,
                          "_related": related, "_note": note, "_true": v.true})


def largest_remainder(n: int, weighted: list[tuple[str, float]]) -> list[tuple[str, int]]:
    total = sum(w for _, w in weighted)
    exact = [(t, n * w / total) for t, w in weighted]
    counts = {t: int(x) for t, x in exact}
    left = n - sum(counts.values())
    for t, _x in sorted(exact, key=lambda tx: tx[1] - int(tx[1]), reverse=True)[:left]:
        counts[t] += 1
    return [(t, counts[t]) for t, _ in weighted]


# ----------------------------------------------------------------------------------------------
# Output, composition and self-check
# ----------------------------------------------------------------------------------------------


def _true_columns(true: tuple | None) -> dict[str, str]:
    fore, middle, sur, dob, sex, address, postcode = true or ("", "", "", None, "", "", "")
    return {"true_forename": fore, "true_middle_names": middle, "true_surname": sur,
            "true_dob": dob.isoformat() if dob else "", "true_sex": sex, "true_address": address,
            "true_postcode": postcode}


def write_csv(path: str, header: list[str], rows: list[dict]):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(h, "") for h in header])


def composition(world: World, roll: Roll, refs: Referrals, args) -> tuple[str, str]:
    """README text and the one-line summary."""
    rows = refs.rows
    rolled_hh = {ch.hh.hid: ch.hh for ch in roll.children}
    sizes = Counter(len([c for c in hh.children if c.roll is not None]) for hh in rolled_hh.values())
    twins = sum(1 for ch in roll.children if ch.twin is not None and ch.twin.roll is not None) // 2
    twins_mixed = sum(1 for ch in roll.children if ch.twin is not None and ch.twin.roll is not None
                      and ch.sex == "M" and ch.twin.sex == "F")
    twins_similar = sum(1 for ch in roll.children if ch.twin is not None and ch.twin.roll is not None
                        and ch.forename < ch.twin.forename
                        and any({key(ch.forename), key(ch.twin.forename)} == {key(a), key(b)}
                                for a, b in TWIN_PAIRS))
    step_hh = sum(1 for hh in rolled_hh.values()
                  if len({key(c.surname) for c in hh.children if c.roll is not None}) > 1)
    groups = Counter(ch.hh.group for ch in roll.children)
    recs = roll.records
    n = len(recs)
    double = sum(1 for r in recs if re.search(r"\w[- ]\w", r["surname"]) and r["_child"].hh.group == "british"
                 and len(re.split(r"[- ]", r["_child"].surname)) == 2)
    apost = sum(1 for r in recs if "'" in r["surname"] or "\u2019" in r["surname"])
    styles = Counter(r["_school"].style for r in recs)
    roll_errs = Counter(e for r in recs for e in r["_errs"])
    sur_top = Counter(key(r["_child"].surname) for r in recs).most_common(12)
    boys_top = Counter(r["_child"].forename for r in recs if r["sex"] == "M").most_common(10)
    girls_top = Counter(r["_child"].forename for r in recs if r["sex"] == "F").most_common(10)
    muhammad = sum(1 for r in recs if r["sex"] == "M" and key(r["_child"].forename) in
                   ("muhammad", "mohammed", "mohammad", "muhammed", "mohamed", "mohamad", "md", "mohamud"))
    main = Counter(r["_kind"].split(":")[0] for r in rows)
    sub_main = Counter(r["_kind"].split(":")[0] + ":" + r["_kind"].split(":")[1].split("+")[0]
                       for r in rows if not r["_kind"].startswith("on_roll"))
    primary = Counter(r["_kind"].split(":")[1].split("+")[0] for r in rows if r["_kind"].startswith("on_roll"))
    any_tag = Counter(t for r in rows if r["_kind"].startswith("on_roll")
                      for t in r["_kind"].split(":")[1].split("+"))
    with_sib = sum(1 for r in rows if r["_kind"].startswith("on_roll") and r["_related"])
    sources = Counter(r["_source"] for r in rows)
    n_on, n_no = main["on_roll"], len(rows) - main["on_roll"]
    L = []
    a = L.append
    a("Messy CME matcher test data (bench/make_messy.py)")
    a("=" * 50)
    a("")
    a(f"Command: {' '.join(['bench/make_messy.py', *sys.argv[1:]])}")
    a(f"Seed {args.seed}; ages counted on {world.as_of.isoformat()} (academic year "
      f"{world.ay}/{(world.ay + 1) % 100:02d}); dates of birth {world.lo} to {world.hi} (Reception to Year 11).")
    a("Area: fictional postcode area HN (HN1-HN12: Hanbury, Ashcombe, Thornley, Brindle Cross, Upper")
    a("Wick, Ellerby); earlier homes in another fictional area YW. UPNs: LA 873 for children who")
    a("started school here, other real LA codes for those who started elsewhere; check letters per DfE.")
    a("")
    a("Files: roll.csv, referrals.csv, truth.csv (referral_id,roll_id,kind; roll_id empty = on no roll),")
    a("truth_detail.csv (source, the rolled children a referral could be confused with, a note, and the "
      "child's own legal names, date of birth, sex and home).")
    a("")
    a(f"ROLL: {n} pupils in {len(rolled_hh)} households, {len(roll.schools)} settings")
    a("  rolled children per household: " + ", ".join(f"{k}: {sizes[k]}" for k in sorted(sizes)))
    a(f"  twin pairs both on roll: {twins} (boy-girl: {twins_mixed}, look-alike names: {twins_similar})")
    a(f"  households whose rolled children have different surnames (step/half-siblings, Begum, Kaur, -ska): {step_hh}")
    a(f"  double-barrelled surnames: {double}; surnames with an apostrophe: {apost}")
    a(f"  preferred_forename filled: {sum(1 for r in recs if r['preferred_forename'])}; "
      f"former_surname filled: {sum(1 for r in recs if r['former_surname'])}; "
      f"middle names: {sum(1 for r in recs if r['middle_names'])}")
    a(f"  UPN blank: {sum(1 for r in recs if not r['upn'])}; school holds the family's old address: "
      f"{sum(1 for r in recs if r['_stale'])}")
    a(f"  boys whose first forename is a form of Muhammad: {muhammad}")
    a("  data-entry style (pupils): " + ", ".join(f"{k} {v}" for k, v in styles.most_common()))
    a("    upper = all capitals; surname_upper = SURNAME only; forename_full = middle names typed")
    a("    into the forename field; swapped = forename and surname columns exchanged by the school;")
    a("    lower_address = address in lower case")
    a("  the school's own mistakes: " + (", ".join(f"{k} {v}" for k, v in sorted(roll_errs.items())) or "none"))
    a("  communities (pupils): " + ", ".join(f"{k} {v}" for k, v in groups.most_common()))
    a("  commonest surnames: " + ", ".join(f"{k} {v}" for k, v in sur_top))
    a("  commonest boys' forenames: " + ", ".join(f"{k} {v}" for k, v in boys_top))
    a("  commonest girls' forenames: " + ", ".join(f"{k} {v}" for k, v in girls_top))
    a("")
    a(f"REFERRALS: {len(rows)}; about children on NO roll: {n_no} ({n_no / max(1, len(rows)):.1%}); "
      f"about rolled children: {n_on}")
    a("  sources: " + ", ".join(f"{k} {v}" for k, v in sources.most_common()))
    a("")
    a("No-roll referrals (truth roll_id empty):")
    for k in ("sibling_no_roll", "twin_no_roll", "namesake_no_roll", "cousin_no_roll", "unrelated_no_roll"):
        a(f"  {k:<20} {main[k]:>6}")
        for s_, c in sorted(sub_main.items()):
            if s_.startswith(k + ":"):
                a(f"      {s_.split(':')[1]:<28} {c:>6}")
    a("  kinds carry '+' details: how much the referral gives (no_dob, age_only = an age turned into a")
    a("  date, name_address_only, thin_name_only, postcode_only, no_address), same_first_name (brothers")
    a("  both called Muhammad), step_surname, same_birthday_other_year, rare/common name.")
    a("")
    a(f"On-roll referrals by primary error ({n_on}; {with_sib} of them have a rolled brother, sister or")
    a(f"twin at the same address who competes; {any_tag['rolled_twin']} have a rolled twin):")
    for t, _, _ in ON_ROLL_ERRORS:
        a(f"  on_roll:{t:<26} {primary[t]:>6}   (carried by {any_tag[t]} in all, with second errors)")
    a("  other tags in on_roll kinds: " + ", ".join(
        f"{t} {c}" for t, c in sorted(any_tag.items()) if t not in ERROR_GROUP))
    a("")
    a("Cosmetic differences not recorded in kinds (a matcher must shrug them off): upper/lower case,")
    a("accents dropped (Łukasz/Lukasz), apostrophes dropped or curly (O'Brien/OBrien/O\u2019Brien), hyphens")
    a("as spaces, Rd/St/Ave abbreviations, flats written five ways, town and locality left in or out,")
    a("postcodes without a space or in lower case, middle names in the forename field.")
    summary = (f"make_messy: roll {n} pupils ({len(rolled_hh)} households, {twins} twin pairs); "
               f"referrals {len(rows)}: on_roll {n_on}, no_roll {n_no} = "
               + ", ".join(f"{k.replace('_no_roll', '')} {main[k]}" for k in
                           ("sibling_no_roll", "twin_no_roll", "namesake_no_roll", "cousin_no_roll",
                            "unrelated_no_roll"))
               + f" -> {args.out}")
    return "\n".join(L) + "\n", summary


def self_check(out: str, as_of: dt.date, share: float, n_pupils: int, n_refs: int) -> list[str]:
    """Read the files back and check the contract. Returns the problems found."""
    problems: list[str] = []
    today = dt.date.today()
    pc_re = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")

    def load(name):
        with open(os.path.join(out, name), encoding="utf-8", newline="") as f:
            r = csv.reader(f)
            head = next(r)
            return head, [dict(zip(head, row, strict=True)) for row in r]

    rh, roll = load("roll.csv")
    fh, refs = load("referrals.csv")
    th, truth = load("truth.csv")
    if rh != ROLL_HEADER:
        problems.append(f"roll header {rh}")
    if fh != HEADER:
        problems.append(f"referrals header {fh}")
    if th != TRUTH_HEADER:
        problems.append(f"truth header {th}")
    if len(roll) != n_pupils:
        problems.append(f"roll has {len(roll)} rows, wanted {n_pupils}")
    if len(refs) != n_refs:
        problems.append(f"referrals has {len(refs)} rows, wanted {n_refs}")
    for name, rows in (("roll", roll), ("referrals", refs)):
        ids = [r["id"] for r in rows]
        if len(set(ids)) != len(ids) or any(not i for i in ids):
            problems.append(f"{name}: ids not unique or empty")
        for r in rows:
            if r["dob"]:
                try:
                    d = dt.date.fromisoformat(r["dob"])
                    if d > as_of or d > today or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["dob"]):
                        problems.append(f"{name} {r['id']}: dob {r['dob']} in the future or not YYYY-MM-DD")
                except ValueError:
                    problems.append(f"{name} {r['id']}: dob {r['dob']!r} does not parse")
            if r["sex"] not in ("M", "F", ""):
                problems.append(f"{name} {r['id']}: sex {r['sex']!r}")
            if r["upn"] and not upn_valid(r["upn"]):
                problems.append(f"{name} {r['id']}: bad UPN {r['upn']}")
            if not any(r[h] for h in HEADER if h != "id"):
                problems.append(f"{name} {r['id']}: nothing but an id")
        if name == "roll":
            upns = [r["upn"] for r in rows if r["upn"]]
            if len(set(upns)) != len(upns):
                problems.append("roll: duplicate UPNs")
            for r in rows:
                if r["postcode"] and not pc_re.match(r["postcode"].upper().replace("  ", " ")) \
                        and not pc_re.match(r["postcode"].upper()[:-3] + " " + r["postcode"].upper()[-3:]):
                    problems.append(f"roll {r['id']}: postcode {r['postcode']!r}")
    roll_ids = {r["id"] for r in roll}
    ref_ids = {r["id"] for r in refs}
    seen = Counter(t["referral_id"] for t in truth)
    if set(seen) != ref_ids or any(c != 1 for c in seen.values()):
        problems.append("truth: not exactly one row per referral")
    bad = [t for t in truth if t["roll_id"] and t["roll_id"] not in roll_ids]
    if bad:
        problems.append(f"truth: {len(bad)} roll ids not on the roll")
    no = [t for t in truth if not t["roll_id"]]
    if any(t["kind"].startswith("on_roll") for t in no) or \
            any(not t["kind"].startswith("on_roll") for t in truth if t["roll_id"]):
        problems.append("truth: kind and roll_id disagree")
    if len(no) < math.ceil(share * len(truth) - 1e-9):
        problems.append(f"truth: {len(no)} no-roll referrals, below the share {share}")
    # roll UPNs given on referrals: a typo must not be anybody's UPN; a correct one must be the
    # child's own
    roll_upn = {r["upn"]: r["id"] for r in roll if r["upn"]}
    tmap = {t["referral_id"]: t for t in truth}
    for r in refs:
        t = tmap.get(r["id"])
        if not r["upn"] or t is None:
            continue
        if "upn_typo" in t["kind"] and r["upn"] in roll_upn:
            problems.append(f"{r['id']}: mistyped UPN is someone's UPN")
        if "upn_given" in t["kind"] and roll_upn.get(r["upn"]) != t["roll_id"]:
            problems.append(f"{r['id']}: given UPN is not the child's")
        if not t["roll_id"] and r["upn"] in roll_upn:
            problems.append(f"{r['id']}: no-roll referral carries a rolled UPN")
    # the check letter rule itself, against the reference vectors
    for upn, ok in (("B801200005001", True), ("A801200005001", False), ("R674123101121", True),
                    ("P207000016049", True)):
        if upn_valid(upn) != ok:
            problems.append(f"UPN check letter rule fails on {upn}")
    return problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pupils", type=int, default=None, help="roll size (default 20000; 500 with --small)")
    ap.add_argument("--referrals", type=int, default=None, help="referrals (default 2000; 300 with --small)")
    ap.add_argument("--no-roll-share", type=float, default=0.45,
                    help="least share of referrals about children on no roll (0..0.8, default 0.45)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--as-of", type=dt.date.fromisoformat, default=DEFAULT_AS_OF,
                    help=f"the day ages are counted on (default {DEFAULT_AS_OF})")
    ap.add_argument("--out", default=None, help="output folder (default bench/data/messy[-small])")
    ap.add_argument("--small", action="store_true",
                    help="a 500-record roll (a pupil referral unit and the home-education list) "
                         "with 300 referrals")
    args = ap.parse_args(argv)
    if args.pupils is None:
        args.pupils = 500 if args.small else 20000
    if args.referrals is None:
        args.referrals = 300 if args.small else 2000
    if not 0.0 <= args.no_roll_share <= 0.8:
        ap.error("--no-roll-share must be between 0 and 0.8")
    if args.pupils < 20 or args.referrals < 1:
        ap.error("--pupils must be at least 20 and --referrals at least 1")
    if args.as_of > dt.date.today():
        ap.error("--as-of is in the future")
    if args.out is None:
        here = os.path.dirname(os.path.abspath(__file__))
        args.out = os.path.join(here, "data", "messy-small" if args.small else "messy")
    t0 = time.perf_counter()
    rng = random.Random(args.seed)
    homes = int(args.pupils / 1.85 + args.referrals * 0.5) + 50
    world = World(rng, args.as_of, homes, args.small)
    roll = Roll(world, args.pupils, args.small)
    refs = Referrals(world, roll, args.referrals, args.no_roll_share)
    refs.on_roll()
    refs.no_roll()
    rng.shuffle(refs.rows)
    for i, r in enumerate(refs.rows, start=1):
        r["id"] = f"R{i:06d}"
    os.makedirs(args.out, exist_ok=True)
    write_csv(os.path.join(args.out, "roll.csv"), ROLL_HEADER, roll.records)
    write_csv(os.path.join(args.out, "referrals.csv"), HEADER, refs.rows)
    write_csv(os.path.join(args.out, "truth.csv"), TRUTH_HEADER,
              [{"referral_id": r["id"], "roll_id": r["_roll_id"], "kind": r["_kind"]} for r in refs.rows])
    write_csv(os.path.join(args.out, "truth_detail.csv"),
              ["referral_id", "roll_id", "kind", "source", "related_roll_ids", "note",
               "true_forename", "true_middle_names", "true_surname", "true_dob", "true_sex",
               "true_address", "true_postcode"],
              [{"referral_id": r["id"], "roll_id": r["_roll_id"], "kind": r["_kind"],
                "source": r["_source"], "related_roll_ids": "|".join(r["_related"]),
                "note": r["_note"], **_true_columns(r["_true"])} for r in refs.rows])
    readme, summary = composition(world, roll, refs, args)
    with open(os.path.join(args.out, "README.txt"), "w", encoding="utf-8") as f:
        f.write(readme)
    problems = self_check(args.out, args.as_of, args.no_roll_share, args.pupils, args.referrals)
    took = time.perf_counter() - t0
    if problems:
        for p in problems[:30]:
            print("SELF-CHECK:", p, file=sys.stderr)
        print(f"make_messy: self-check found {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{summary} (self-check passed, {took:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
